/**
 * Classification of every inbound message (DESIGN section 3), as small named checks in the style of Haraka:
 * each records pass (nothing found), fail (found, with the evidence) or skip (could not tell), so "why was
 * this not answered?" is answered from the record. Only `human` mail is ever answered automatically.
 *
 * Verdict, first match wins: loop; quarantine (virus or spam verdict FAIL: kept, never answered); bounce
 * (delivery reports and other machine reports); auto-reply; bounce on a null return path alone (RFC 3834
 * section 3.1.5 tells auto-responders to send from the null path too, so their own headers decide first);
 * list; human.
 */
import type { CheckResult, InboundFacts, Verdict } from './report';
import type { ParsedMessage } from './parsed-message';

export type Classification = 'loop' | 'bounce' | 'auto-reply' | 'list' | 'quarantine' | 'human';

export interface ClassifyContext {
  /** Domain of our own Message-IDs. */
  messageIdDomain: string;
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
  const named = /^\s*"?\s*(mailer-daemon|postmaster)\b/i.exec(fromHeader) ?? /^\s*(mailer-daemon|postmaster)\s*$/i.exec(msg.from?.name ?? '');
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
 * Out-of-office subjects: the phrase starts the subject and a colon or the end follows at once, so a report
 * titled "Auto update RCE" or "Out of office hours bypass" is not mistaken for one.
 */
const AUTO_REPLY_SUBJECT =
  /^\s*(out of (the )?office( auto-?reply)?|automatic reply|auto[ -]?reply|auto[ -]?response|auto|abwesenheitsnotiz|automatische antwort|réponse automatique|respuesta automática|risposta automatica|automatisch antwoord)\s*(:|$)/i;

export function checkAutoReply(msg: ParsedMessage): CheckResult {
  const evidence: string[] = [];
  const autoSubmitted = first(header(msg, 'auto-submitted'));
  if (autoSubmitted !== undefined) {
    const value = autoSubmitted.split(';')[0]!.trim().toLowerCase();
    if (value !== 'no' && value !== '') evidence.push(`Auto-Submitted: ${value} (RFC 3834)`);
  }
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoreply-from', 'x-mail-autoreply', 'x-autogenerated', 'x-fc-machinegenerated']) {
    const value = first(header(msg, name));
    if (value !== undefined && !/^(no|false)$/i.test(value)) evidence.push(`${name} header`);
  }
  const suppress = first(header(msg, 'x-auto-response-suppress'));
  if (suppress && !/^none$/i.test(suppress)) evidence.push(`X-Auto-Response-Suppress: ${suppress.slice(0, 60)}`);
  if (/^auto[_-]?reply$/i.test(first(header(msg, 'precedence')) ?? '')) evidence.push('Precedence: auto_reply');
  // Exchange marks what its mailbox rules (out-of-office, auto-reply rules) generate.
  for (const name of ['x-ms-exchange-inbox-rules-loop', 'x-ms-exchange-generated-message-source']) {
    if (header(msg, name).length > 0) evidence.push(`${name} header (Exchange rule)`);
  }
  if (AUTO_REPLY_SUBJECT.test(msg.subject)) evidence.push(`out-of-office subject "${msg.subject.slice(0, 80)}"`);
  return evidence.length ? fail('auto-reply', evidence.join('; ')) : pass('auto-reply', 'no auto-reply marks');
}

export function checkList(msg: ParsedMessage): CheckResult {
  const evidence: string[] = [];
  const precedence = first(header(msg, 'precedence'));
  if (precedence && /^(bulk|list|junk)$/i.test(precedence)) evidence.push(`Precedence: ${precedence.toLowerCase()}`);
  const listId = first(header(msg, 'list-id'));
  if (listId !== undefined) evidence.push(`List-Id: ${listId.slice(0, 80)}`);
  if (header(msg, 'list-unsubscribe').length > 0 && precedence !== undefined) evidence.push('List-Unsubscribe with Precedence');
  return evidence.length ? fail('list', evidence.join('; ')) : pass('list', 'no list or bulk marks');
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
  const autoReply = checkAutoReply(msg);
  const list = checkList(msg);
  const checks = [loop, virus, spam, bounce, autoReply, list];
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
