/**
 * Sweeps the shared corpus of real messages (../shared/corpus, INDEX.tsv) through classify(). mailparser is
 * used here only, through a small test-local adapter to ParsedMessage; the core never sees mailparser.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { classify } from '../../lambdas/core/classify';
import type { ParsedMessage } from '../../lambdas/core/parsed-message';
import type { Address, InboundFacts } from '../../lambdas/core/report';

import { CORPUS, describeWithCorpus } from '../support/corpus';
const NEVER_HUMAN = new Set(['bounce-dsn', 'auto-reply', 'mdn-read-receipt', 'feedback-report-arf', 'other-report']);

/**
 * Index entries we read differently. The index's `category` describes MIME structure, and no entry in the
 * never-human categories looked human to us (arf-26.eml, filed as auto-reply, is Apple Mail's automatic
 * one-click unsubscribe, marked Auto-Submitted: auto-replied: machine mail, so the category holds).
 * These messages sit in structural categories but are mailing-list or bulk mail, so they classify as `list`
 * (recorded, never answered), which we believe is right for a security inbox:
 */
const LIST_MAIL_IN_STRUCTURAL_CATEGORIES: Record<string, string> = {
  'deltachat-core/list-from.eml': 'List-Id',
  'deltachat-core/mailinglist_chat_message.eml': 'Precedence: list, List-Id',
  'deltachat-core/mailinglist_dhl.eml': 'List-Id (newsletter)',
  'deltachat-core/mailinglist_dpd.eml': 'List-Id (newsletter)',
  'deltachat-core/mailinglist_ttline.eml': 'List-Id (newsletter)',
  'deltachat-core/mailinglist_with_mimepart_footer.eml': 'Precedence: list, List-Id',
  'deltachat-core/mailinglist_with_mimepart_footer_signed.eml': 'Precedence: list, List-Id',
  'deltachat-core/mailinglist_xing.eml': 'List-Id (newsletter)',
  'deltachat-core/mailinglist_xt_local_microsoft.eml': 'List-Id (newsletter)',
  'deltachat-core/mailinglist_xt_local_spiegel.eml': 'List-Id (newsletter)',
  'deltachat-core/schleuder.eml': 'List-Id (schleuder list)',
  'mikel-mail/error_emails/empty_in_reply_to.eml': 'List-Id',
  // (mikel-mail/error_emails/bad_date_header.eml, Precedence: junk without List-Id, is a person's report with no
  // automatic answer now: "is it a report" and "may we answer it" are two questions)
  'mimekit/openpgp/[Announce] GnuPG 2.1.20 released.eml': 'Precedence: list, List-Id (announcement list)',
};

/** The verdict each never-human category must get. */
const EXPECTED_VERDICT: Record<string, string> = {
  'bounce-dsn': 'bounce',
  'mdn-read-receipt': 'bounce',
  'feedback-report-arf': 'bounce',
  'other-report': 'bounce',
  'auto-reply': 'auto-reply',
};

function addresses(field: AddressObject | AddressObject[] | undefined): Address[] {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.flatMap((a) => a.value).filter((v) => v.address).map((v) => ({ address: v.address!, ...(v.name ? { name: v.name } : {}) }));
}

function toParsedMessage(raw: string, mail: ParsedMail): ParsedMessage {
  const headers: Record<string, string[]> = {};
  for (const { key, line } of mail.headerLines) {
    const value = line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    (headers[key.toLowerCase()] ??= []).push(value);
  }
  const ct = mail.headers.get('content-type') as { value: string; params: Record<string, string> } | undefined;
  const partTypes = [...raw.matchAll(/^Content-Type:\s*([\w.+-]+\/[\w.+-]+)/gim)].map((m) => m[1]!.toLowerCase());
  const refs = mail.references;
  return {
    ...(mail.messageId ? { messageId: mail.messageId.replace(/^<|>$/g, '') } : {}),
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
    references: Array.isArray(refs) ? refs : refs ? [refs] : [],
    subject: mail.subject ?? '',
    ...(addresses(mail.from)[0] ? { from: addresses(mail.from)[0] } : {}),
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    replyTo: addresses(mail.replyTo),
    headers,
    contentType: (ct?.value ?? 'text/plain').toLowerCase(),
    contentTypeParams: ct?.params ?? {},
    partTypes,
    text: mail.text ?? '',
    bodyText: mail.text ?? '',
    attachments: [],
    defects: [],
    headerAmbiguities: [],
  };
}

interface Entry {
  path: string;
  category: string;
}
const entries: Entry[] = existsSync(join(CORPUS, 'INDEX.tsv'))
  ? readFileSync(join(CORPUS, 'INDEX.tsv'), 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const [path, , category] = l.split('\t');
        return { path: path!, category: category! };
      })
  : [];

const facts: InboundFacts = {
  sesMessageId: 'corpus',
  recipients: ['security@bases.example'],
  verdicts: { spf: 'UNKNOWN', dkim: 'UNKNOWN', dmarc: 'UNKNOWN', spam: 'UNKNOWN', virus: 'UNKNOWN' },
  receivedAt: '2026-11-10T09:00:00Z',
  rawKey: 'corpus',
};

describeWithCorpus('classify over the shared corpus', () => {
  let results: { entry: Entry; verdict: string; reasons: string }[] = [];

  beforeAll(async () => {
    results = await Promise.all(
      entries.map(async (entry) => {
        // Old Mac files end lines with a bare CR; normalise as an MTA would have on the way in.
        const raw = readFileSync(join(CORPUS, entry.path), 'latin1').replace(/\r(?!\n)/g, '\r\n');
        const mail = await simpleParser(Buffer.from(raw, 'latin1'), { skipHtmlToText: true, skipTextLinks: true, skipImageLinks: true, skipTextToHtml: true });
        const { verdict, checks } = classify(toParsedMessage(raw, mail), facts, {
          messageIdDomain: 'intake.bases.example',
          isOurAddress: (a) => a.toLowerCase().replace(/\+[^@]*@/, '@') === 'security@bases.example',
        });
        const reasons = checks.filter((c) => c.result === 'fail').map((c) => `${c.name}: ${c.reason}`).join(' | ');
        return { entry, verdict, reasons };
      }),
    );
  });

  it('has the corpus', () => {
    expect(entries.length).toBeGreaterThan(300);
  });

  it('never calls a bounce, auto-reply, read receipt, ARF or other report human', () => {
    const wrong = results.filter((r) => NEVER_HUMAN.has(r.entry.category) && r.verdict === 'human').map((r) => r.entry.path);
    expect(wrong).toEqual([]);
  });

  it('gives bounces, reports and read receipts the bounce verdict, and auto-replies the auto-reply verdict', () => {
    const wrong = results
      .filter((r) => NEVER_HUMAN.has(r.entry.category) && r.verdict !== EXPECTED_VERDICT[r.entry.category])
      .map((r) => `${r.entry.path} [${r.entry.category}] -> ${r.verdict}: ${r.reasons}`);
    expect(wrong).toEqual([]);
  });

  it('names read receipts as such in the reason', () => {
    for (const r of results.filter((x) => x.entry.category === 'mdn-read-receipt')) {
      expect(r.reasons).toMatch(/read receipt \(MDN/);
    }
  });

  it('calls every other message human, except known list mail', () => {
    const notHuman = Object.fromEntries(
      results.filter((r) => !NEVER_HUMAN.has(r.entry.category) && r.verdict !== 'human').map((r) => [r.entry.path, r.verdict]),
    );
    expect(notHuman).toEqual(Object.fromEntries(Object.keys(LIST_MAIL_IN_STRUCTURAL_CATEGORIES).map((p) => [p, 'list'])));
  });
});
