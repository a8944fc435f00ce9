/**
 * Issue 17 at intake: encrypted reports become readable reports (PGP/MIME and inline), signatures are a named
 * check (valid, unknown key, bad), mail to another key still opens a report marked "could not decrypt", and the
 * receipt says so and attaches our key. Keys are generated in this run (Curve25519), never committed.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { loadOpenPgp } from '../../lambdas/adapters/openpgp-engine';
import { FileProjectKeys } from '../../lambdas/adapters/local/file-project-keys';
import { fixedKey, loadExample, mail, startHarness, type Harness } from '../support/intake-harness';
import { replyAddress } from '../../lambdas/core/reply-address';
import { autocryptHeader, encryptTo, engine, innerEntity, makeKey, pgpMimeMail, type TestKey } from '../support/pgp-fixtures';
import { testTimeout } from '../support/timeouts';

const config = loadExample('bases');
const project = config.projects[0]!;
const SECURITY = project.addresses[0]!;
const JANE = 'jane@reporter.example';

let h: Harness;
let dir: string;
let projectKey: TestKey;
let jane: TestKey;
let mallory: TestKey;
let other: TestKey;

beforeAll(async () => {
  [projectKey, jane, mallory, other] = await Promise.all([makeKey(SECURITY), makeKey(JANE), makeKey('mallory@evil.example'), makeKey('someone@else.example')]);
}, testTimeout(60_000));

beforeEach(async () => {
  h = await startHarness(config);
  dir = await mkdtemp(join(tmpdir(), 'secintake-keys-'));
  const keys = new FileProjectKeys(dir);
  await keys.put(project.id, projectKey.privateKey);
  h.deps.pgp = engine;
  h.deps.projectKeys = keys;
});

afterEach(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

const noticeOf = () => h.sender.sent.find((s) => s.outboxId === 'notice')!.parsed;
const receiptOf = () => h.sender.sent.find((s) => s.outboxId === 'receipt')!;

test('the project key file is readable by its owner only', async () => {
  expect((await stat(join(dir, `${project.id}.asc`))).mode & 0o777).toBe(0o600);
});

test('a PGP/MIME report, signed with the key attached inside, becomes a readable report with its file', async () => {
  const inner = await innerEntity({
    subject: 'Heap overflow in decode()',
    text: 'decode() overflows with a 70000-byte header in version 0.3.0. Steps to reproduce: run poc.py.',
    attachments: [
      { filename: 'poc.py', content: 'print("overflow")\n', contentType: 'text/x-python' },
      { filename: 'jane.asc', content: jane.publicKey, contentType: 'application/pgp-keys' },
    ],
  });
  const armored = await encryptTo(inner, [projectKey.publicKey], jane.privateKey);
  const r = await h.deliver(pgpMimeMail({ from: `Jane <${JANE}>`, to: SECURITY, armored }));
  expect(r.outcome).toBe('report');
  expect(r.checks).toEqual(expect.arrayContaining([
    { name: 'encryption', result: 'pass', reason: `PGP/MIME message decrypted with the project key ${projectKey.fingerprint}` },
    { name: 'pgp-signature', result: 'pass', reason: `valid OpenPGP signature by ${jane.fingerprint}` },
  ]));
  const report = (await h.store.getReport(r.reportId!))!;
  expect(report.subject).toBe('Heap overflow in decode()');
  expect(report.encryption).toEqual({ kind: 'pgp-mime', decrypted: true });
  expect(report.reporterKey).toMatchObject({ fingerprint: jane.fingerprint, source: 'attached' });
  expect(JSON.stringify(report)).not.toContain('PRIVATE KEY');
  const notice = noticeOf();
  expect(notice.text).toContain('decode() overflows with a 70000-byte header');
  expect(notice.attachments.map((a) => [a.filename, a.content.toString('utf8')])).toContainEqual(['poc.py', 'print("overflow")\n']);
  // the stored message is the ciphertext as received
  const stored = (await h.store.listMessages(report.id)).find((m) => m.direction === 'in')!;
  const raw = await new Promise<Buffer>(async (resolve) => {
    const chunks: Buffer[] = [];
    const s = await h.raw.get(stored.rawKey!);
    s.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
  });
  expect(raw.toString('utf8')).toContain('-----BEGIN PGP MESSAGE-----');
  expect(raw.toString('utf8')).not.toContain('70000-byte');
});

test('an inline PGP report is read; the missing-information check runs on the decrypted text', async () => {
  const clear = 'The parser in version 0.3.0 crashes on an empty header. Impact: denial of service. Steps to reproduce: send an empty header.';
  const armored = await encryptTo(clear, [projectKey.publicKey]);
  const r = await h.deliver(mail({ from: JANE, to: SECURITY, subject: 'crash', body: `Hello,\n\n${armored}\n` }));
  expect(r.outcome).toBe('report');
  expect(r.checks).toContainEqual({ name: 'encryption', result: 'pass', reason: `inline PGP message decrypted with the project key ${projectKey.fingerprint}` });
  expect(r.checks.find((c) => c.name === 'pgp-signature')).toBeUndefined();
  expect(noticeOf().text).toContain('crashes on an empty header');
  const receipt = receiptOf().parsed.text ?? '';
  // no key of hers: the receipt is in clear, asks for it, and attaches ours
  expect(receipt).toContain('You wrote to us encrypted, but we do not have your public key');
  expect(receipt).toContain(`Our OpenPGP key is attached (fingerprint ${projectKey.fingerprint})`);
  expect(receiptOf().parsed.attachments.map((a) => a.contentType)).toContain('application/pgp-keys');
  const plain = await h.deliver(mail({ from: 'joe@reporter.example', to: SECURITY, subject: 'crash', body: 'Hello,\n\ncrash\n' }));
  const plainReceipt = h.sender.sent.filter((s) => s.outboxId === 'receipt' && s.envelope.to.includes('joe@reporter.example'))[0]!.parsed.text ?? '';
  // the same check on a clear-text message asks for what the decrypted one gave
  expect(plain.outcome).toBe('report');
  const missing = (text: string) => (text.split('what is missing from your report:\n')[1] ?? '').split('\n\n')[0]!.split('\n').filter((l) => l.startsWith('- '));
  expect(missing(plainReceipt).length).toBeGreaterThan(missing(receipt).length);
});

test('a signature by an unknown key is named, not trusted', async () => {
  const armored = await encryptTo(await innerEntity({ text: 'signed by a key we do not know' }), [projectKey.publicKey], mallory.privateKey);
  const r = await h.deliver(pgpMimeMail({ from: JANE, to: SECURITY, armored }));
  expect(r.checks.find((c) => c.name === 'pgp-signature')).toMatchObject({ result: 'skip', reason: expect.stringContaining('unknown key') });
});

test('a signature the known key does not verify is bad (here: the key was revoked); an Autocrypt key is kept', async () => {
  const openpgp = await loadOpenPgp();
  const { publicKey: revoked } = await openpgp.revokeKey({ key: await openpgp.readPrivateKey({ armoredKey: jane.privateKey }), format: 'armored' });
  const armored = await encryptTo(await innerEntity({ text: 'signed by Jane' }), [projectKey.publicKey], jane.privateKey);
  const out = await engine.decrypt(armored, projectKey.privateKey, [revoked]);
  expect(out.signature).toMatchObject({ result: 'bad', reason: expect.stringContaining(`the signature by ${jane.fingerprint} does not verify`) });
  // through the intake: the Autocrypt key for the From address is read and verifies the signature
  const r = await h.deliver(pgpMimeMail({ from: JANE, to: SECURITY, armored, headers: { Autocrypt: await autocryptHeader(JANE, jane.publicKey) } }));
  expect(r.checks.find((c) => c.name === 'pgp-signature')).toMatchObject({ result: 'pass' });
  const report = (await h.store.getReport(r.reportId!))!;
  expect(report.reporterKey).toMatchObject({ fingerprint: jane.fingerprint, source: 'autocrypt' });
  // an Autocrypt header for another address than the From is not the sender's key
  const other = await h.deliver(pgpMimeMail({ from: 'joe@reporter.example', to: SECURITY, armored, headers: { Autocrypt: await autocryptHeader(JANE, jane.publicKey) } }));
  expect((await h.store.getReport(other.reportId!))!.reporterKey).toBeUndefined();
});

test('a report encrypted to another key still opens, marked; the receipt says so and attaches our key', async () => {
  const armored = await encryptTo(await innerEntity({ text: 'secret' }), [other.publicKey]);
  const r = await h.deliver(pgpMimeMail({ from: JANE, to: SECURITY, armored }));
  expect(r.outcome).toBe('report');
  const check = r.checks.find((c) => c.name === 'encryption')!;
  expect(check).toMatchObject({ result: 'fail', reason: expect.stringContaining('encrypted, could not decrypt: encrypted to another key') });
  const report = (await h.store.getReport(r.reportId!))!;
  expect(report.encryption).toMatchObject({ kind: 'pgp-mime', decrypted: false, reason: expect.stringContaining('another key') });
  const receipt = receiptOf().parsed;
  expect(receipt.text).toContain('Your message was encrypted and we could not decrypt it: encrypted to another key');
  expect(receipt.text).not.toContain('please reply with what is missing');
  const key = receipt.attachments.find((a) => a.contentType === 'application/pgp-keys')!;
  expect((await engine.readPublicKey(key.content))!.fingerprint).toBe(projectKey.fingerprint);
  // a broken packet is a reason too
  const broken = await h.deliver(pgpMimeMail({ from: 'joe@reporter.example', to: SECURITY, armored: '-----BEGIN PGP MESSAGE-----\n\nnonsense\n-----END PGP MESSAGE-----' }));
  expect(broken.outcome).toBe('report');
  expect(broken.checks.find((c) => c.name === 'encryption')).toMatchObject({ result: 'fail' });
});

test('S/MIME is named, not decrypted', async () => {
  const raw = [
    `From: ${JANE}`, `To: ${SECURITY}`, 'Subject: smime', 'Message-ID: <s1@reporter.example>', 'MIME-Version: 1.0',
    'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"', 'Content-Transfer-Encoding: base64', '',
    Buffer.from('not really cms').toString('base64'), '',
  ].join('\r\n');
  const r = await h.deliver(raw);
  expect(r.outcome).toBe('report');
  expect(r.checks.find((c) => c.name === 'encryption')).toMatchObject({ result: 'fail', reason: expect.stringContaining('S/MIME') });
});

test('plain mail loads nothing new and is answered as before', async () => {
  const r = await h.deliver(mail({ from: JANE, to: SECURITY, subject: 'plain', body: 'a plain report' }));
  expect(r.checks.find((c) => c.name === 'encryption')).toBeUndefined();
  const receipt = receiptOf().parsed;
  expect(receipt.text).not.toContain('OpenPGP');
  // the project has a key: receipts carry it in an Autocrypt header
  expect(String(receipt.headers.get('autocrypt'))).toContain(`addr=${SECURITY}`);
  void simpleParser;
});

test('a signed-and-encrypted report whose signed text was altered: the known key says bad, through the intake', async () => {
  const openpgp = await loadOpenPgp();
  // Jane signs one text; the literal packet is then swapped for another text, and the whole is encrypted to us
  const signingKeys = await openpgp.readPrivateKey({ armoredKey: jane.privateKey });
  const inner = await innerEntity({ text: 'the text Jane signed' });
  const signed = await openpgp.sign({ message: await openpgp.createMessage({ binary: inner }), signingKeys, format: 'object' });
  const literal = signed.packets.findPacket(openpgp.enums.packet.literalData) as unknown as { setBytes(b: Uint8Array, f: unknown): void };
  literal.setBytes(await innerEntity({ text: 'a text someone else put in its place' }), openpgp.enums.literal.binary);
  const encryptionKeys = await openpgp.readKey({ armoredKey: projectKey.publicKey });
  const armored = (await openpgp.encrypt({ message: signed, encryptionKeys, format: 'armored' })) as string;
  const r = await h.deliver(pgpMimeMail({ from: JANE, to: SECURITY, armored, headers: { Autocrypt: await autocryptHeader(JANE, jane.publicKey) } }));
  expect(r.outcome).toBe('report');
  expect(r.checks.find((c) => c.name === 'pgp-signature')).toMatchObject({ result: 'fail', reason: expect.stringContaining('bad OpenPGP signature') });
  // the report still opens with what was decrypted: a bad signature is a named fact, not a reason to lose mail
  const [message] = await h.store.listMessages(r.reportId!);
  expect(message?.excerpt ?? '').toContain('a text someone else put in its place');
});

test('an encrypted report released from quarantine: its receipt is built from the decrypted text, not the ciphertext', async () => {
  const clear = 'The parser in version 0.3.0 crashes on an empty header. Impact: denial of service. Steps to reproduce: send an empty header.';
  const armored = await encryptTo(clear, [projectKey.publicKey]);
  const SPAM = { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'FAIL', virus: 'PASS' } as const;
  const q = await h.deliver(mail({ from: JANE, to: SECURITY, subject: 'crash', body: `Hello,\n\n${armored}\n` }), { verdicts: SPAM });
  expect(q.outcome).toBe('quarantined');
  expect(h.sender.to(JANE)).toEqual([]);
  const id = q.reportId!;
  const reply = replyAddress(SECURITY, id, await fixedKey.replyAddressKey());
  const alice = project.maintainers[0]!.address;
  await h.deliverSigned(mail({ from: `Alice <${alice}>`, to: reply, subject: `Re: [security report #${id}] crash`, body: 'Release: yes\n' }), { recipients: [reply] });
  const [receipt] = h.sender.to(JANE);
  expect(receipt).toBeDefined();
  const released = receipt!.parsed.text ?? '';
  // the same message in clear at intake: the receipt asks for exactly what the clear text lacks
  const plain = await h.deliver(mail({ from: 'joe@reporter.example', to: SECURITY, subject: 'crash', body: `Hello,\n\n${clear}\n` }));
  expect(plain.outcome).toBe('report');
  const plainReceipt = h.sender.to('joe@reporter.example')[0]!.parsed.text ?? '';
  const missing = (text: string) => (text.split('what is missing from your report:\n')[1] ?? '').split('\n\n')[0]!.split('\n').filter((l) => l.startsWith('- '));
  expect(missing(released)).toEqual(missing(plainReceipt));
  expect(released).toContain('You wrote to us encrypted, but we do not have your public key');
});
