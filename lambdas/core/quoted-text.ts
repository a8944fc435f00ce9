/**
 * Trims quoted history from a reply for display and relay (EMAILS.md: "quoted history trimmed"). The full
 * text stays on record; this only decides what a reader is shown.
 *
 * Cut at the first of: an attribution line ("On <date>, <someone> wrote:" and common localized forms) when
 * only quoted lines follow it (so inline, interleaved answers are kept); an Outlook "-----Original Message-----"
 * separator or "From: ... / Sent: ..." header block. Then drop trailing quoted ('>') lines and a trailing
 * signature after the RFC 3676 section 4.3 separator "-- ".
 */

/** Attribution lines of common mail clients, in the languages they ship in most. */
const ATTRIBUTION = [
  /^On\s.+\bwrote\s?:$/i, // Gmail, Apple Mail, Thunderbird
  /^Am\s.+\bschrieb\b.*:$/i, // de
  /^Le\s.+\ba écrit\s?:$/i, // fr
  /^El\s.+\bescribió\s?:$/i, // es
  /^Il\s.+\bha scritto\s?:$/i, // it
  /^Op\s.+\bschreef\b.*:$/i, // nl
  /^Em\s.+\bescreveu\s?:$/i, // pt
  /^W dniu\s.+\bpisze\s?:$/i, // pl
  /^.+\s(пишет|написал|написала|написал\(а\))\s?:$/i, // ru
  /^(?=.*\d{4}).*\s(skrev|kirjoitti)(\s.*)?:$/i, // da, no, sv, fi
  /^\d{4}[-/年].+(wrote|に書きました|写道)\s?[:：]$/i, // ja, zh: the date comes first
];
/** Clients wrap a long attribution; the verb then ends the next line. */
const WRAPPED_START = /^(On|Am|Le|El|Il|Op|Em|W dniu)\s.+/i;
const WRAPPED_END = /\b(wrote|schrieb|écrit|escribió|scritto|schreef|escreveu|pisze)\s?:$/i;

const OUTLOOK_SEPARATOR = /^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Messaggio originale|Oorspronkelijk bericht|Mensagem original)\s*-{2,}\s*$/i;
const UNDERSCORE_RULE = /^\s*_{10,}\s*$/;
const OUTLOOK_FROM = /^\s*\*?(From|Von|De|Da|Van|Od|От|Från|Fra)\s*:\*?\s+\S/i;
/** Outlook's "Sent:" (a forward from other clients says "Date:" and is kept: it is content, not history). */
const OUTLOOK_SENT = /^\s*\*?(Sent|Gesendet|Envoyé|Enviado|Inviato|Verzonden|Wysłano|Отправлено|Skickat|Sendt)\s*:\*?\s/i;

const isQuoted = (line: string): boolean => /^\s*>/.test(line);
const isBlank = (line: string): boolean => line.trim() === '';

export function trimQuoted(text: string): string {
  const lines = text.split(/\r\n|\r|\n/);
  let end = lines.length;
  const outlook = findOutlookBlock(lines);
  if (outlook !== undefined) end = outlook;
  const attribution = findAttribution(lines, end);
  if (attribution !== undefined) end = attribution;
  while (end > 0 && (isBlank(lines[end - 1]!) || isQuoted(lines[end - 1]!))) end--;
  end = withoutSignature(lines, end);
  while (end > 0 && isBlank(lines[end - 1]!)) end--;
  return lines.slice(0, end).join('\n');
}

function findOutlookBlock(lines: string[]): number | undefined {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (OUTLOOK_SEPARATOR.test(line)) return i;
    if (UNDERSCORE_RULE.test(line) && lines.slice(i + 1, i + 3).some((l) => OUTLOOK_FROM.test(l))) return i;
    // Outlook's header block: From:, then Sent: (or Date:) within the next lines.
    if (OUTLOOK_FROM.test(line) && lines.slice(i + 1, i + 4).some((l) => OUTLOOK_SENT.test(l))) {
      return i;
    }
  }
  return undefined;
}

/** The attribution line, if everything after it (up to `end`) is quoted history. */
function findAttribution(lines: string[], end: number): number | undefined {
  // onlyQuotedFrom[k]: lines k..end-1 are all quoted or blank, and at least one is quoted (linear, no rescans).
  const onlyQuotedFrom: boolean[] = new Array<boolean>(end + 1).fill(false);
  let sawQuote = false;
  let allQuoted = true;
  for (let k = end - 1; k >= 0; k--) {
    const line = lines[k]!;
    if (isQuoted(line)) sawQuote = true;
    else if (!isBlank(line)) allQuoted = false;
    onlyQuotedFrom[k] = allQuoted && sawQuote;
  }
  for (let i = 0; i < end; i++) {
    const line = lines[i]!.trim();
    if (line === '' || isQuoted(line) || line.length > 300) continue;
    let after: number;
    if (/[:：]$/.test(line) && ATTRIBUTION.some((re) => re.test(line))) after = i + 1;
    else if (WRAPPED_START.test(line) && WRAPPED_END.test(lines[i + 1]?.trim() ?? '')) after = i + 2;
    else continue;
    if (after < end && onlyQuotedFrom[after]) return i;
  }
  return undefined;
}

/** Cuts at the last "-- " separator if what follows is short enough to be a signature. */
function withoutSignature(lines: string[], end: number): number {
  for (let i = end - 1; i >= 0 && end - i <= 12; i--) {
    if (/^-- ?$/.test(lines[i]!)) return i;
  }
  return end;
}
