import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import {
  listOutboxFolder,
  OutboxFolderSender,
  RelayFailed,
} from '../../../lambdas/adapters/local/outbox-folder-sender';
import { composeDraft } from '../../../lambdas/adapters/mime-composer';
import type { Draft } from '../../../lambdas/core/drafts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink';

const draft: Draft = {
  kind: 'reminder:acknowledge',
  to: ['maint@bases.example'],
  cc: ['boss@bases.example'],
  subject: '[security report #K7QM-2XPD] Überlauf in decode() — a rather long subject that gets folded by the composer',
  text: 'Acknowledgment of K7QM-2XPD is due in 1 working hour.\n',
  autoSubmitted: 'auto-generated',
};

function compose(d: Draft = draft): Promise<Buffer> {
  return composeDraft(d, {
    from: 'security@bases.example',
    replyTo: 'security+k7qm2xpd.mac@bases.example',
    messageId: `${Math.random().toString(16).slice(2)}@intake.bases.example`,
    date: new Date('2027-03-15T19:02:00Z'),
    stamp: 'K7QM-2XPD',
  });
}

const envelope = { from: 'security@bases.example', to: ['maint@bases.example', 'boss@bases.example'] };

let folder: string;
beforeEach(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'outbox-'));
});
afterEach(async () => {
  await fs.rm(folder, { recursive: true, force: true });
});

describe('OutboxFolderSender', () => {
  it('writes numbered .eml files with the exact bytes and leaves no temporary file', async () => {
    const sender = new OutboxFolderSender({ folder: path.join(folder, 'outbox') });
    const raw = await compose();
    const first = await sender.send(raw, envelope, 'acknowledge:remind:50%');
    const second = await sender.send(await compose({ ...draft, kind: 'receipt' }), envelope, 'receipt');

    expect(first.providerId).toBe('outbox:000001-acknowledge_remind_50_.eml');
    expect(second.providerId).toBe('outbox:000002-receipt.eml');
    const names = (await fs.readdir(path.join(folder, 'outbox'))).sort();
    expect(names).toEqual(['000001-acknowledge_remind_50_.eml', '000002-receipt.eml']);
    expect((await fs.readFile(path.join(folder, 'outbox', names[0]))).equals(raw)).toBe(true);
  });

  it('gives concurrent sends distinct numbers', async () => {
    const sender = new OutboxFolderSender({ folder });
    const raw = await compose();
    await Promise.all(Array.from({ length: 12 }, (_, i) => sender.send(raw, envelope, `relay:${i}`)));
    const numbers = (await listOutboxFolder(folder)).map((e) => e.n);
    expect(numbers).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('lists entries with number, recipients, decoded subject, date and kind', async () => {
    const sender = new OutboxFolderSender({ folder });
    await sender.send(await compose(), envelope, 'acknowledge:remind:50%');
    await fs.writeFile(path.join(folder, 'notes.txt'), 'not mail');
    const [entry, ...rest] = await listOutboxFolder(folder);
    expect(rest).toEqual([]);
    expect(entry).toEqual({
      n: 1,
      file: '000001-acknowledge_remind_50_.eml',
      to: 'maint@bases.example, boss@bases.example',
      subject: draft.subject,
      date: 'Mon, 15 Mar 2027 19:02:00 +0000',
      kind: 'reminder:acknowledge',
      reportId: 'K7QM-2XPD', // our X-Security-Intake stamp
    });
    expect(await listOutboxFolder(path.join(folder, 'missing'))).toEqual([]);
  });
});

describe('OutboxFolderSender with an SMTP relay', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink({ rejectRecipients: /^nobody@/ });
  });
  afterAll(async () => {
    await sink.close();
  });

  it('relays the same bytes with the envelope sender and recipients, and writes the file', async () => {
    const sender = new OutboxFolderSender({ folder, relay: { host: sink.host, port: sink.port } });
    const raw = await compose();
    await sender.send(raw, envelope, 'receipt');
    const [got] = await sink.waitFor(1);
    expect(got.mailFrom).toBe('security@bases.example');
    expect(got.rcptTo).toEqual(['maint@bases.example', 'boss@bases.example']);
    const parsed = await simpleParser(got.raw);
    expect(parsed.subject).toBe(draft.subject);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(await listOutboxFolder(folder)).toHaveLength(1);
  });

  it('fails with RelayFailed and writes nothing when the relay refuses', async () => {
    const sender = new OutboxFolderSender({ folder, relay: { host: sink.host, port: sink.port } });
    const sending = sender.send(await compose(), { from: 'security@bases.example', to: ['nobody@x.example'] }, 'receipt');
    await expect(sending).rejects.toBeInstanceOf(RelayFailed);
    await expect(sending).rejects.toThrow(/550/);
    expect(await listOutboxFolder(folder)).toEqual([]);
  });

  it('fails with RelayFailed when nothing listens on the relay port', async () => {
    const closed = await startSmtpSink();
    const port = closed.port;
    await closed.close();
    const sender = new OutboxFolderSender({ folder, relay: { host: '127.0.0.1', port } });
    await expect(sender.send(await compose(), envelope, 'receipt')).rejects.toBeInstanceOf(RelayFailed);
  });
});
