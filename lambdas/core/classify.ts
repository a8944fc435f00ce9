/**
 * Classification of every inbound message (DESIGN section 3), as small named checks in the style of Haraka:
 * each records pass (nothing found), fail (found, with the evidence) or skip (could not tell), so "why was
 * this not answered?" is answered from the record. Only `human` mail is ever answered automatically.
 *
 * Two questions, apart (DESIGN section 3):
 * - Is it a report? The verdict, first match wins: loop (ours); quarantine (virus or spam verdict FAIL: kept,
 *   never answered); bounce (delivery reports and other machine reports); auto-reply (out-of-office, vacation,
 *   challenge-response); bounce on a null return path alone (RFC 3834 section 3.1.5 tells auto-responders to send
 *   from the null path too, so their own headers decide first); list (a list post that reached us only because
 *   we are subscribed: no address of ours in To or Cc); human.
 * - May we answer it automatically? The `auto-answer` check: a person's message that asks not to be
 *   auto-answered or came through automation (X-Auto-Response-Suppress, Auto-Submitted: auto-forwarded,
 *   Precedence bulk/list/junk, List-Id, loop stamps of other systems) is still a report: opened, the
 *   maintainers told, no receipt, the reason recorded.
 */
import type { CheckResult, InboundFacts, Verdict } from './report';
import type { ParsedMessage } from './parsed-message';

export type Classification = 'loop' | 'bounce' | 'auto-reply' | 'list' | 'quarantine' | 'human';

export interface ClassifyContext {
  /** Domain of our own Message-IDs. */
  messageIdDomain: string;
  /** Whether an address is one of ours (a security address or a reply address under one). */
  isOurAddress?: (address: string) => boolean;
}

/** Our stamp on every message we send; seeing it inbound means a loop. */
export const OUR_HEADER = 'x-security-intake';

function header(msg: ParsedMessage, name: string): string[] {
  return msg.headers[name] ?? [];
}
const first = (values: string[]): string | undefined => values[0]?.trim();
const localPart = (address: string | undefined): string =>
  (address ?? '').trim().replace(/^<|>$/g, '').split('@')[0]!.toLowerCase();

const pass = (name: string, reason: string): CheckResult => ({ name, result: 'pass', reason });
const fail = (name: string, reason: string): CheckResult => ({ name, result: 'fail', reason });

export function checkLoop(msg: ParsedMessage, ctx: ClassifyContext): CheckResult {
  const domain = ctx.messageIdDomain.toLowerCase();
  const id = msg.messageId?.replace(/^<|>$/g, '');
  if (id && id.slice(id.lastIndexOf('@') + 1).toLowerCase() === domain) {
    return fail('loop', `Message-ID <${id}> is one of ours`);
  }
  if (header(msg, OUR_HEADER).length > 0) return fail('loop', 'carries our X-Security-Intake header');
  return pass('loop', 'not one of our messages');
}

/** Machine report types (RFC 6522 multipart/report and the parts inside it). */
const REPORT_PART_REASONS: Record<string, string> = {
  'message/delivery-status': 'a message/delivery-status part (RFC 3464 DSN)',
  'message/global-delivery-status': 'a message/global-delivery-status part (RFC 6533 DSN)',
  'message/disposition-notification': 'a read receipt (MDN, RFC 8098): machine-generated, never a person writing',
  'message/global-disposition-notification': 'a read receipt (MDN, RFC 6533): machine-generated, never a person writing',
  'message/feedback-report': 'an abuse feedback report (ARF, RFC 5965)',
};
const REPORT_TYPE_REASONS: Record<string, string> = {
  'delivery-status': 'multipart/report; report-type=delivery-status (RFC 3464 DSN)',
  'global-delivery-status': 'multipart/report; report-type=global-delivery-status (RFC 6533 DSN)',
  'disposition-notification': 'a read receipt (MDN, RFC 8098): machine-generated, never a person writing',
  'feedback-report': 'an abuse feedback report (ARF, RFC 5965)',
};
const BOUNCE_SENDERS = new Set(['mailer-daemon', 'postmaster', 'mail-daemon', 'maildaemon', 'mailerdaemon']);
const BOUNCE_SUBJECT =
  /(undeliver(ed|able)|delivery (status notification|failure|has failed|problem)|returned mail|failure notice|mail delivery (failed|failure|system)|non-?delivery|nondeliverable|could not be delivered|delivery notification)/i;

/** MAILER-DAEMON or postmaster as envelope sender or From, including `From: MAILER-DAEMON <>` without address. */
function bounceSender(msg: ParsedMessage, facts: InboundFacts): string | undefined {
  const found = [facts.mailFrom, msg.from?.address].find((a) => BOUNCE_SENDERS.has(localPart(a)));
  if (found) return found;
  const fromHeader = first(header(msg, 'from')) ?? '';
  const named =
    /^\s*"?\s*(mailer-daemon|postmaster)\b/i.exec(fromHeader) ??
    /^\s*(mailer-daemon|postmaster|mail delivery (sub)?system|mail administrator)\s*$/i.exec(msg.from?.name ?? '');
  return named ? named[1]! : undefined;
}

export interface BounceCheck extends CheckResult {
  /** Only a null return path was seen: an auto-reply's own headers take precedence. */
  nullSenderOnly?: boolean;
}

export function checkBounce(msg: ParsedMessage, facts: InboundFacts): BounceCheck {
  const strong: string[] = [];
  const returnPath = first(header(msg, 'return-path'));
  const nullSender = facts.mailFrom === '' || (returnPath !== undefined && /^<?\s*>?$/.test(returnPath));
  const daemon = bounceSender(msg, facts);
  if (daemon) strong.push(`sent by ${daemon}`);
  if (msg.contentType === 'multipart/report') {
    const type = (msg.contentTypeParams['report-type'] ?? '').toLowerCase();
    strong.push(REPORT_TYPE_REASONS[type] ?? `multipart/report; report-type=${type || '(none)'}: a machine-generated report (RFC 6522)`);
  }
  for (const part of new Set(msg.partTypes.map((t) => t.toLowerCase()))) {
    const reason = REPORT_PART_REASONS[part];
    if (reason && !strong.includes(reason)) strong.push(reason);
  }
  if (header(msg, 'x-failed-recipients').length > 0) strong.push('X-Failed-Recipients header');
  if (strong.length === 0 && !nullSender) return pass('bounce', 'no delivery report, non-null sender');
  const evidence = [...(nullSender ? ['null return path (MAIL FROM:<>)'] : []), ...strong];
  // A bounce-like subject is only supporting evidence, from a null sender or a mailer daemon.
  if ((nullSender || daemon) && BOUNCE_SUBJECT.test(msg.subject)) evidence.push(`subject "${msg.subject.slice(0, 80)}"`);
  return { ...fail('bounce', evidence.join('; ')), ...(strong.length === 0 ? { nullSenderOnly: true } : {}) };
}

/**
 * Out-of-office subjects in English, German, French, Spanish, Italian, Portuguese, Dutch, Swedish, Polish,
 * Latvian and Japanese: the phrase starts the subject and a colon, a dash or the end follows. On its own a
 * subject is never enough (a person may title a report "Automatic reply spoofing"): a second signal must
 * corroborate it (`subjectCorroboration`).
 */
const AUTO_REPLY_SUBJECT = new RegExp(
  '^\\s*(' +
    [
      'out of (the )?office( auto-?reply)?', 'automatic reply', 'auto[ -]?reply', 'auto[ -]?response', 'autoresponse', 'away from (the )?office', 'on vacation', 'vacation reply',
      'abwesenheitsnotiz', 'automatische antwort', 'abwesend', 'automatische abwesenheitsnachricht',
      'réponse automatique', 'reponse automatique', 'absence du bureau', 'absent du bureau', "message d'absence",
      'respuesta automática', 'respuesta automatica', 'fuera de la oficina', 'ausencia',
      'risposta automatica', 'fuori sede', "fuori dall'ufficio", 'assenza',
      'resposta automática', 'resposta automatica', 'fora do escritório', 'ausência',
      'automatisch antwoord', 'afwezig', 'niet aanwezig', 'automatisch bericht',
      'automatiskt svar', 'frånvaro', 'frånvarande', 'autosvar',
      'automatyczna odpowiedź', 'automatyczna odpowiedz', 'poza biurem', 'nieobecność',
      'automātiska atbilde', 'automātiskā atbilde', 'prombūtnē', 'prombūtne',
      '自動応答', '自動返信', '不在', '外出',
    ].join('|') +
    ')\\s*(:|：|-|$)',
  'i',
);

/** A second sign that a subject like "Automatic reply: ..." came from a mailbox rule, not a person. */
function subjectCorroboration(msg: ParsedMessage, facts: InboundFacts): string | undefined {
  if (facts.mailFrom === '' || bounceSender(msg, facts)) return 'sent from a null return path or a mailer daemon';
  const exchange = Object.keys(msg.headers).find((h) => /^x-ms-exchange-(inbox-rules-loop|generated-message-source|organization-autoreply)/.test(h));
  if (exchange) return `${exchange} header (an Exchange mailbox rule)`;
  const topic = first(header(msg, 'thread-topic'));
  if (topic !== undefined) {
    const rest = msg.subject.replace(AUTO_REPLY_SUBJECT, '').trim();
    if (rest !== '' && topic.trim() === rest) return 'Thread-Topic equal to the subject after the prefix (Outlook)';
  }
  return undefined;
}

/** Precedence or X-Precedence, every instance: a second header saying `bulk` counts (RFC 3834 section 3.1.8). */
function precedences(msg: ParsedMessage): string[] {
  return [...header(msg, 'precedence'), ...header(msg, 'x-precedence')].map((v) => v.trim().toLowerCase()).filter((v) => v !== '');
}

/** Out-of-office, vacation and challenge-response messages: machine-written, never a report. */
export function checkAutoReply(msg: ParsedMessage, facts?: InboundFacts): CheckResult {
  const evidence: string[] = [];
  const autoSubmitted = first(header(msg, 'auto-submitted'));
  if (autoSubmitted !== undefined) {
    // RFC 3834 section 5: auto-generated and auto-replied are machine mail; auto-forwarded carries a person's
    // message onwards (answered by the auto-answer check instead)
    const value = autoSubmitted.split(';')[0]!.trim().toLowerCase();
    if (value !== 'no' && value !== '' && value !== 'auto-forwarded') evidence.push(`Auto-Submitted: ${value} (RFC 3834)`);
  }
  // X-Autoreply (Postfix vacation, cPanel), X-Autorespond (Exim, Plesk), X-Autogenerated (Zimbra), X-Mail-Autoreply
  // (Horde), X-FC-MachineGenerated (FirstClass), X-Autoreply-From
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoreply-from', 'x-mail-autoreply', 'x-autogenerated', 'x-fc-machinegenerated']) {
    const value = first(header(msg, name));
    if (value !== undefined && !/^(no|false)$/i.test(value)) evidence.push(`${name} header`);
  }
  if (precedences(msg).some((p) => /^auto[_-]?reply$/.test(p))) evidence.push('Precedence: auto_reply');
  // iCloud's vacation responder
  if (/^vacation$/i.test(first(header(msg, 'x-apple-action')) ?? '')) evidence.push('X-Apple-Action: VACATION (iCloud vacation reply)');
  if (AUTO_REPLY_SUBJECT.test(msg.subject)) {
    const second = facts ? subjectCorroboration(msg, facts) : undefined;
    if (second) evidence.push(`out-of-office subject "${msg.subject.slice(0, 80)}" and ${second}`);
  }
  return evidence.length ? fail('auto-reply', evidence.join('; ')) : pass('auto-reply', 'no auto-reply marks');
}

/** A list post that reached us only because a security address is subscribed: no address of ours in To/Cc. */
export function checkList(msg: ParsedMessage, ours?: (address: string) => boolean): CheckResult {
  const listId = first(header(msg, 'list-id'));
  if (listId === undefined) return pass('list', 'no List-Id');
  const addressed = ours ? [...msg.to, ...msg.cc].some((a) => ours(a.address)) : true;
  if (addressed) return pass('list', `List-Id ${listId.slice(0, 80)}, but addressed to us (To/Cc): a person's report through a list`);
  return fail('list', `List-Id: ${listId.slice(0, 80)}, and no address of ours in To or Cc (a list we are subscribed to)`);
}

/** Loop stamps other systems put on mail they handled (their own or forwarded): a reason not to answer. */
const LOOP_STAMPS = ['x-loop', 'x-no-loop', 'x-otrs-loop', 'x-rt-loop-prevention', 'x-zammad-loop', 'x-jira-fingerprint', 'x-freshdesk-loop', 'x-zendesk-loop', 'x-helpscout-loop', 'x-ticket-loop'];

/**
 * May we answer it automatically? Marks of automation, or a sender's wish not to be auto-answered, that do
 * not make a message machine-written: the report is opened, the maintainers told, no receipt goes out.
 */
export function checkAutoAnswer(msg: ParsedMessage): CheckResult {
  const evidence: string[] = [];
  const suppress = first(header(msg, 'x-auto-response-suppress'));
  // Outlook and Exchange (MS-OXCMAIL): the sender asks for no automatic answers; Outlook puts it on ordinary mail
  if (suppress && !/^none$/i.test(suppress)) evidence.push(`X-Auto-Response-Suppress: ${suppress.slice(0, 60)}`);
  const autoSubmitted = first(header(msg, 'auto-submitted'));
  if (autoSubmitted?.split(';')[0]!.trim().toLowerCase() === 'auto-forwarded') evidence.push('Auto-Submitted: auto-forwarded (RFC 3834)');
  const bulk = precedences(msg).filter((p) => /^(bulk|list|junk)$/.test(p));
  if (bulk.length) evidence.push(`Precedence: ${bulk[0]} (RFC 3834 section 3.1.8)`);
  const listId = first(header(msg, 'list-id'));
  if (listId !== undefined) evidence.push(`List-Id: ${listId.slice(0, 80)} (RFC 2919: list mail is never auto-answered)`);
  if (header(msg, 'list-unsubscribe').length > 0) evidence.push('List-Unsubscribe (RFC 2369, RFC 8058)');
  for (const name of LOOP_STAMPS) {
    if (header(msg, name).length > 0) evidence.push(`${name} header (another system's loop stamp)`);
  }
  return evidence.length
    ? fail('auto-answer', `no automatic answer: ${evidence.join('; ')}`)
    : pass('auto-answer', 'no marks against an automatic answer');
}

function checkVerdict(name: 'spam' | 'virus', verdict: Verdict): CheckResult {
  if (verdict === 'FAIL') return fail(name, `SES ${name} verdict FAIL`);
  if (verdict === 'PASS') return pass(name, `SES ${name} verdict PASS`);
  return { name, result: 'skip', reason: `SES ${name} verdict ${verdict}` };
}

export interface ClassifyResult {
  verdict: Classification;
  /** Every check, in order, to be stored on the message record. */
  checks: CheckResult[];
}

export function classify(msg: ParsedMessage, facts: InboundFacts, ctx: ClassifyContext): ClassifyResult {
  const loop = checkLoop(msg, ctx);
  const virus = checkVerdict('virus', facts.verdicts.virus);
  const spam = checkVerdict('spam', facts.verdicts.spam);
  const { nullSenderOnly, ...bounce } = checkBounce(msg, facts);
  const autoReply = checkAutoReply(msg, facts);
  const list = checkList(msg, ctx.isOurAddress);
  const autoAnswer = checkAutoAnswer(msg);
  const checks = [loop, virus, spam, bounce, autoReply, list, autoAnswer];
  const flagged = (c: CheckResult) => c.result === 'fail';
  let verdict: Classification = 'human';
  if (flagged(loop)) verdict = 'loop';
  else if (flagged(virus) || flagged(spam)) verdict = 'quarantine';
  else if (flagged(bounce) && !nullSenderOnly) verdict = 'bounce';
  else if (flagged(autoReply)) verdict = 'auto-reply';
  else if (flagged(bounce)) verdict = 'bounce';
  else if (flagged(list)) verdict = 'list';
  return { verdict, checks };
}

/** A report whose sender asked not to be auto-answered, or that came through automation: no receipt. */
export function noAutomaticAnswer(checks: CheckResult[]): string | undefined {
  return checks.find((c) => c.name === 'auto-answer' && c.result === 'fail')?.reason;
}
