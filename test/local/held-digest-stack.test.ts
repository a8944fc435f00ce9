/**
 * Held mail on the local stack, end to end: a bounce that belongs to no report arrives over SMTP, the hour's
 * held-mail digest execution runs on the very state machine CDK synthesizes (it sleeps with no report to wake
 * it), the digest lands in the outbox when the clock passes the hour, and `promote` opens the held message as a
 * report: the maintainers get its notice, its sender no receipt.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { submitOverSmtp } from '../../lambdas/adapters/local/smtp-submit';
import { listOutboxFolder } from '../../lambdas/adapters/local/outbox-folder-sender';
import { startLocalStack } from '../../lambdas/local/stack';
import { localOperations } from '../../lambdas/local/stack-operations';

const ROOT = join(__dirname, '../..');
const config = join(ROOT, 'examples/bases.json');
const T0 = new Date('2027-03-09T10:05:00Z');

const autoReply = [
  'From: Bob <bob@partner.example>',
  'To: security@hashberg.io',
  'Subject: Automatic reply: your message',
  'Message-ID: <ooo-1@partner.example>',
  'Auto-Submitted: auto-replied',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'I am out of the office until Monday.',
  '',
].join('\r\n');

test('a held auto-reply is in the digest at the end of its hour, and promote opens it as a report', async () => {
  const data = await mkdtemp(join(tmpdir(), 'secintake-held-'));
  const stack = await startLocalStack({ config, data, frozenClock: true, startAt: T0, port: 0 });
  try {
    await submitOverSmtp({ port: stack.smtpPort, from: 'bob@partner.example', to: ['security@hashberg.io'], raw: Buffer.from(autoReply) });
    await stack.runner.idle();
    expect(await stack.deps.store.listReports()).toEqual([]);
    expect(await listOutboxFolder(stack.outboxDir)).toEqual([]);

    const ops = localOperations({ deps: stack.deps, outboxDir: stack.outboxDir, advanceTo: async (t) => void (await stack.runner.advanceTo(t)) });
    await ops.clockSet('2027-03-09T10:59:00Z');
    expect(await listOutboxFolder(stack.outboxDir)).toEqual([]);
    await ops.clockSet('2027-03-09T11:00:00Z');
    await stack.runner.idle();
    const sent = await listOutboxFolder(stack.outboxDir);
    expect(sent.map((m) => [m.kind, m.to])).toEqual([['held-digest', 'alice@hashberg.io, bob@hashberg.io']]);
    const digest = (await ops.outboxShow(1)).raw;
    const ref = /Promote: ([0-9A-Z]{4}-[0-9A-Z]{4})/.exec(digest)![1]!;

    const promoted = await ops.promote(ref.toLowerCase());
    expect(promoted).toMatchObject({ ok: true, reportId: ref, already: false });
    expect(await ops.promote(ref)).toMatchObject({ ok: true, reportId: ref, already: true });
    await expect(ops.promote('ZZZZ-ZZZZ')).rejects.toThrow(/no held message ZZZZ-ZZZZ/);
    await stack.runner.idle();
    const kinds = (await listOutboxFolder(stack.outboxDir)).map((m) => [m.kind, m.to]);
    expect(kinds).toEqual([
      ['held-digest', 'alice@hashberg.io, bob@hashberg.io'],
      ['notice', 'alice@hashberg.io, bob@hashberg.io'],
    ]);
    expect((await ops.show(ref)).report).toMatchObject({ status: 'received', reporter: { address: 'bob@partner.example' } });
  } finally {
    await stack.close();
    await rm(data, { recursive: true, force: true });
  }
}, 30_000);
