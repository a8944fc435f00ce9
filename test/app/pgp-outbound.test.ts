/**
 * Issue 17, our side: mail to a reporter whose key we know is PGP/MIME encrypted to it and signed with the
 * project key, its outer Subject only the tag with the report ID (the real one protected inside); `Encrypt: no`
 * from a maintainer turns it off for one report (a stranger's does nothing); a maintainer's reply encrypted to
 * the project key is decrypted before its commands are read; maintainers listed with keys get encrypted notices.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { FileProjectKeys } from '../../lambdas/adapters/local/file-project-keys';
import { loadOpenPgp } from '../../lambdas/adapters/openpgp-engine';
import { replyAddress } from '../../lambdas/core/reply-address';
import type { Config } from '../../lambdas/core/config';
import { fixedKey, loadExample, mail, startHarness, type Harness, type SentMail } from '../support/intake-harness';
import { encryptTo, engine, innerEntity, makeKey, pgpMimeMail, type TestKey } from '../support/pgp-fixtures';
import { testTimeout } from '../support/timeouts';

const base = loadExample('bases');
const project = base.projects[0]!;
const SECURITY = project.addresses[0]!;
const JANE = 'jane@reporter.example';
const ALICE = project.maintainers[0]!.address;
const BOB = project.maintainers[1]!.address;

let projectKey: TestKey;
let jane: TestKey;
let alice: TestKey;
let bob: TestKey;
let h: Harness;
let dir: string;

beforeAll(async () => {
  [projectKey, jane, alice, bob] = await Promise.all([makeKey(SECURITY), makeKey(JANE), makeKey(ALICE), makeKey(BOB)]);
}, testTimeout(60_000));

async function start(config: Config = base) {
  h = await startHarness(config);
  dir = await mkdtemp(join(tmpdir(), 'secintake-keys-'));
  const keys = new FileProjectKeys(dir);
  await keys.put(project.id, projectKey.privateKey);
  h.deps.pgp = engine;
  h.deps.projectKeys = keys;
}

afterEach(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

/** Decrypts one of our PGP/MIME mails with `key`, checks our signature, and parses the inner entity. */
async function opened(sent: SentMail, key: TestKey): Promise<{ inner: ParsedMail; signed: boolean }> {
  const openpgp = await loadOpenPgp();
  expect(sent.parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/encrypted', params: { protocol: 'application/pgp-encrypted' } });
  const part = sent.parsed.attachments.find((a) => a.contentType === 'application/octet-stream')!;
  const out = await openpgp.decrypt({
    message: await openpgp.readMessage({ armoredMessage: part.content.toString('utf8') }),
    decryptionKeys: await openpgp.readPrivateKey({ armoredKey: key.privateKey }),
    verificationKeys: await openpgp.readKey({ armoredKey: projectKey.publicKey }),
    format: 'binary',
  });
  const signed = await out.signatures[0]!.verified.then(() => true, () => false);
  return { inner: await simpleParser(Buffer.from(out.data as Uint8Array)), signed };
}

async function janeReportsWithKey() {
  const inner = await innerEntity({
    subject: 'Heap overflow in decode()',
    text: 'decode() overflows in 0.3.0.',
    attachments: [{ filename: 'jane.asc', content: jane.publicKey, contentType: 'application/pgp-keys' }],
  });
  const r = await h.deliver(pgpMimeMail({ from: `Jane <${JANE}>`, to: SECURITY, armored: await encryptTo(inner, [projectKey.publicKey], jane.privateKey) }));
  expect(r.outcome).toBe('report');
  return { id: r.reportId!, replyTo: replyAddress(SECURITY, r.reportId!, await fixedKey.replyAddressKey()) };
}

const lastTo = (address: string, outboxPrefix: string) => h.sender.to(address).filter((m) => m.outboxId.startsWith(outboxPrefix)).pop()!;

test('receipt and relay to a reporter with a key are encrypted and signed; the outer Subject hides the real one', async () => {
  await start();
  const { id, replyTo } = await janeReportsWithKey();
  const receipt = lastTo(JANE, 'receipt');
  expect(receipt.parsed.subject).toBe(`[security report #${id}]`);
  expect(receipt.raw.toString('utf8')).not.toContain('Heap overflow');
  expect(String(receipt.parsed.headers.get('autocrypt')).replace(/\s+/g, '')).toContain(`addr=${SECURITY}`);
  const r1 = await opened(receipt, jane);
  expect(r1.signed).toBe(true);
  expect(r1.inner.subject).toContain('Heap overflow in decode()');
  expect(r1.inner.text).toContain(`gave it the ID ${id}`);
  // she gave her key: the receipt does not ask for it
  expect(r1.inner.text).not.toContain('we do not have your public key');

  const r = await h.deliverSigned(mail({ from: `Alice <${ALICE}>`, to: replyTo, subject: `Re: [security report #${id}] Heap overflow in decode()`, body: 'Hi Jane, confirmed: the secret detail is in decode_header().\n' }), { recipients: [replyTo] });
  expect(r.outcome).toBe('maintainer');
  const relay = h.sender.to(JANE).filter((m) => m.outboxId !== 'receipt').pop()!;
  expect(relay.parsed.subject).toBe(`[security report #${id}]`);
  expect(relay.raw.toString('utf8')).not.toContain('decode_header');
  const r2 = await opened(relay, jane);
  expect(r2.signed).toBe(true);
  expect(r2.inner.text).toContain('the secret detail is in decode_header()');
  expect(r2.inner.subject).toContain('Heap overflow in decode()');
  const events = await h.store.listEvents(id);
  expect(events.some((e) => e.type === 'mail.sent' && e.detail?.encrypted === 'OpenPGP')).toBe(true);
}, testTimeout(30_000));

test("Encrypt: no from a maintainer turns it off for the report, recorded; a stranger's does nothing", async () => {
  await start();
  const { id, replyTo } = await janeReportsWithKey();
  await h.deliver(mail({ from: 'mallory@evil.example', to: replyTo, subject: `Re: [security report #${id}]`, body: 'Encrypt: no\n' }), { recipients: [replyTo] });
  expect((await h.store.getReport(id))!.encryptOff).toBeUndefined();
  // a forged maintainer From (no DKIM signature) does not act either
  await h.deliver(mail({ from: `Alice <${ALICE}>`, to: replyTo, subject: `Re: [security report #${id}]`, body: 'Encrypt: no\n' }), { recipients: [replyTo] });
  expect((await h.store.getReport(id))!.encryptOff).toBeUndefined();

  const r = await h.deliverSigned(mail({ from: `Alice <${ALICE}>`, to: replyTo, subject: `Re: [security report #${id}] x`, body: 'Encrypt: no\n\nJane, this one goes in clear as you asked.\n' }), { recipients: [replyTo] });
  expect(r.outcome).toBe('maintainer');
  const report = (await h.store.getReport(id))!;
  expect(report.encryptOff).toMatchObject({ by: ALICE });
  const events = await h.store.listEvents(id);
  expect(JSON.stringify(events)).toContain('encryption.off');
  const relay = h.sender.to(JANE).filter((m) => m.outboxId !== 'receipt').pop()!;
  expect(relay.parsed.text).toContain('this one goes in clear');
}, testTimeout(30_000));

test("a maintainer's reply encrypted to the project key is decrypted before its commands are read", async () => {
  await start();
  const { id, replyTo } = await janeReportsWithKey();
  const inner = await innerEntity({ text: 'Status: triaged\nSeverity: high\n\nConfirmed on our side.\n' });
  const raw = pgpMimeMail({ from: `Alice <${ALICE}>`, to: replyTo, subject: `Re: [security report #${id}]`, armored: await encryptTo(inner, [projectKey.publicKey], alice.privateKey) });
  const r = await h.deliverSigned(raw, { recipients: [replyTo] });
  expect(r.outcome).toBe('maintainer');
  const report = (await h.store.getReport(id))!;
  expect(report.status).toBe('triaged');
  expect(report.severity).toBe('high');
  // the text relayed to Jane is the clear text, encrypted to her
  const relay = h.sender.to(JANE).filter((m) => m.outboxId !== 'receipt').pop()!;
  expect((await opened(relay, jane)).inner.text).toContain('Confirmed on our side.');
}, testTimeout(30_000));

test('maintainers listed with keys get the notice encrypted to their keys; without, plain as ever', async () => {
  const withKeys: Config = {
    ...base,
    projects: [{ ...project, maintainers: [{ ...project.maintainers[0]!, pgpKey: alice.publicKey }, { ...project.maintainers[1]!, pgpKey: bob.publicKey }] }, ...base.projects.slice(1)],
  };
  await start(withKeys);
  const { id } = await janeReportsWithKey();
  const notice = h.sender.sent.find((m) => m.outboxId === 'notice')!;
  expect(notice.parsed.subject).toBe(`[security report #${id}]`);
  for (const key of [alice, bob]) {
    const { inner, signed } = await opened(notice, key);
    expect(signed).toBe(true);
    expect(inner.text).toContain('decode() overflows in 0.3.0.');
  }
}, testTimeout(30_000));

test('a key sent later in a follow-up: mail to the reporter is encrypted from then on', async () => {
  await start();
  const r = await h.deliver(mail({ from: `Jane <${JANE}>`, to: SECURITY, subject: 'Heap overflow in decode()', body: 'decode() overflows in 0.3.0.' }));
  const id = r.reportId!;
  const replyTo = replyAddress(SECURITY, id, await fixedKey.replyAddressKey());
  // the receipt went in clear (no key yet), with our key in its Autocrypt header
  const receipt = lastTo(JANE, 'receipt');
  expect(receipt.parsed.subject).toContain('Heap overflow');
  expect(String(receipt.parsed.headers.get('autocrypt'))).toContain(`addr=${SECURITY}`);
  const followup = [
    `From: Jane <${JANE}>`, `To: ${replyTo}`, `Subject: Re: [security report #${id}] Heap overflow in decode()`, 'Message-ID: <f1@reporter.example>',
    'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="m"', '', '--m', 'Content-Type: text/plain', '', 'Here is my key.', '--m',
    'Content-Type: application/pgp-keys; name="jane.asc"', 'Content-Disposition: attachment; filename="jane.asc"', '', jane.publicKey.trim(), '--m--', '',
  ].join('\r\n');
  await h.deliver(followup, { recipients: [replyTo] });
  expect((await h.store.getReport(id))!.reporterKey).toMatchObject({ fingerprint: jane.fingerprint, source: 'attached' });
  await h.deliverSigned(mail({ from: `Alice <${ALICE}>`, to: replyTo, subject: `Re: [security report #${id}] Heap overflow in decode()`, body: 'Thanks Jane, now encrypted.\n' }), { recipients: [replyTo] });
  const relay = h.sender.to(JANE).filter((m) => m.outboxId !== 'receipt').pop()!;
  expect(relay.parsed.subject).toBe(`[security report #${id}]`);
  expect((await opened(relay, jane)).inner.text).toContain('Thanks Jane, now encrypted.');
}, testTimeout(30_000));
