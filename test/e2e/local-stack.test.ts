/**
 * The local stack end to end, the way a user meets it: a report over real SMTP (nodemailer), a maintainer's reply
 * to the per-report address DKIM-signed with a key generated here and verified by mailauth against an offline DNS
 * records file (so DMARC PASS is computed, not assumed), the clock moved past every deadline of the bases policy,
 * the outbox and `secintake show --json` read back, then a restart on the same data folder: nothing lost, nothing
 * sent twice, and the timers that fell due while stopped fire once, in order.
 *
 * The clock is the persisted one (clock.json, real time plus an offset), as `npm start` runs it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import nodemailer from 'nodemailer';
import { LocalClock } from '../../lambdas/local/local-clock';
import { run } from '../../lambdas/local/cli/main';
import { startLocalStack, type LocalStack } from '../../lambdas/local/stack';
import { testTimeout } from '../support/timeouts';

const ROOT = join(__dirname, '../..');
const CONFIG = join(ROOT, 'examples/bases.json');
const T0 = new Date('2027-03-09T10:00:00Z'); // a Tuesday, no holiday
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const SELECTOR = 'e2e';

interface Sent {
  file: string;
  kind: string;
  to: string[];
  from: string;
  replyTo: string;
  subject: string;
  text: string;
  raw: string;
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
}

async function outbox(stack: LocalStack): Promise<Sent[]> {
  const files = (await readdir(stack.outboxDir).catch(() => [] as string[])).filter((f) => f.endsWith('.eml')).sort();
  const sent: Sent[] = [];
  for (const file of files) {
    const raw = await readFile(join(stack.outboxDir, file), 'utf8');
    const m = await simpleParser(raw);
    sent.push({
      file,
      kind: String(m.headers.get('x-security-intake-kind') ?? ''),
      to: [...addresses(m.to), ...addresses(m.cc)],
      from: addresses(m.from)[0] ?? '',
      replyTo: addresses(m.replyTo)[0] ?? '',
      subject: m.subject ?? '',
      text: m.text ?? '',
      raw,
    });
  }
  return sent;
}

async function cli(data: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(['--data', data, '--config', CONFIG, ...argv], { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('local stack end to end', () => {
  let tmp: string;
  let data: string;
  let dns: string;
  let dkimKey: string;
  /** The offset over real time the persisted clock keeps (`<data>/clock.json`, written by `clock advance`). */
  const clockOffset = () => (JSON.parse(readFileSync(join(data, 'clock.json'), 'utf8')) as { offsetMs: number }).offsetMs;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'secintake-e2e-'));
    data = join(tmp, 'data');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    dkimKey = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    dns = join(tmp, 'dns.json');
    await writeFile(dns, JSON.stringify({ TXT: { [`${SELECTOR}._domainkey.hashberg.io`]: [`v=DKIM1; k=rsa; p=${p}`], '_dmarc.hashberg.io': ['v=DMARC1; p=reject'] } }));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  async function deliver(stack: LocalStack, raw: string, envelope: { from: string; to: string }, sign = false): Promise<string> {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: stack.smtpPort,
      secure: false,
      ignoreTLS: true,
      ...(sign ? { dkim: { domainName: 'hashberg.io', keySelector: SELECTOR, privateKey: dkimKey } } : {}),
    });
    try {
      const info = await transport.sendMail({ envelope: { from: envelope.from, to: [envelope.to] }, raw });
      await stack.runner.idle();
      return /queued as (\S+)/.exec(String(info.response))![1];
    } finally {
      transport.close();
    }
  }

  it('takes a report and an authenticated maintainer reply, fires every deadline once, and survives restarts', async () => {
    // 1. a report over SMTP opens a report; the reporter gets a receipt with the per-report reply address
    let stack = await startLocalStack({ config: CONFIG, data, dns, startAt: T0, port: 0, controlPort: 0 });
    let id: string;
    let receipt: Sent;
    let sentBeforeRestart: Sent[];
    let clockBeforeRestart: Date;
    let offsetBeforeRestart: number;
    let messagesBeforeRestart: number;
    try {
      const report = await readFile(join(ROOT, 'examples/mail/report.eml'), 'utf8');
      await deliver(stack, report, { from: 'jane@reporter.example', to: 'security@hashberg.io' });
      const [opened] = await stack.deps.store.listReports();
      id = opened.id;
      expect(opened.status).toBe('received');
      let sent = await outbox(stack);
      expect(sent.map((s) => [s.kind, s.to])).toEqual([
        ['receipt', ['jane@reporter.example']],
        ['notice', ['alice@hashberg.io', 'bob@hashberg.io']],
      ]);
      receipt = sent[0];
      expect(receipt.replyTo).toMatch(new RegExp(`^security\\+${id.replace('-', '').toLowerCase()}\\.[a-z0-9]+@hashberg\\.io$`));

      // 2. the same reply unsigned is not a maintainer's: no command runs, nothing reaches the reporter
      const reply = (await readFile(join(ROOT, 'examples/mail/maintainer-reply.eml'), 'utf8')).replace('XXXX-XXXX', id);
      await deliver(stack, reply.replace('<b1c7e0a2', '<forged-b1c7e0a2'), { from: 'alice@hashberg.io', to: receipt.replyTo });
      expect((await stack.deps.store.getReport(id))!.status).toBe('received');
      sent = await outbox(stack);
      expect(sent.map((s) => [s.kind, s.to])).toContainEqual(['followup:stranger', ['alice@hashberg.io', 'bob@hashberg.io']]);
      expect(sent.find((s) => s.kind === 'followup:stranger')!.text).toMatch(/DMARC FAIL/);
      expect(sent.filter((s) => s.to.includes('jane@reporter.example'))).toHaveLength(1);

      // 3. signed by hashberg.io's key (published in the offline DNS): DKIM and DMARC pass, the commands apply
      const beforeReply = stack.clock.now().getTime();
      await deliver(stack, reply, { from: 'alice@hashberg.io', to: receipt.replyTo }, true);
      const replyAt = stack.clock.now().getTime();
      const triaged = (await stack.deps.store.getReport(id))!;
      expect(triaged.status).toBe('triaged');
      // 72 hours from the moment the command applied, which is between these two readings of the (running) clock
      const embargoSetAt = new Date(triaged.embargo!.until).getTime() - 72 * HOUR;
      expect(embargoSetAt).toBeGreaterThanOrEqual(beforeReply);
      expect(embargoSetAt).toBeLessThanOrEqual(replyAt);
      const fromAlice = (await stack.deps.store.listMessages(id)).filter((m) => m.direction === 'in' && m.from?.address === 'alice@hashberg.io');
      expect(fromAlice.map((m) => [m.role, m.verdicts?.dkim, m.verdicts?.dmarc])).toEqual([
        ['stranger', 'GRAY', 'FAIL'],
        ['maintainer', 'PASS', 'PASS'],
      ]);
      sent = await outbox(stack);
      const relay = sent.find((s) => s.kind === 'relay')!;
      expect(relay.to).toEqual(['jane@reporter.example']);
      expect(relay.from).toBe('security@hashberg.io');
      expect(relay.text).toContain('Thank you for the clear report and the reproduction script.');
      expect(relay.text).not.toMatch(/^(Status|Embargo):/m);
      expect(relay.raw).not.toMatch(/alice@hashberg\.io/i);

      // 4. past every deadline of the bases policy (ack 24h, respond 48h, embargo 72h, weekly updates): 15 days,
      // through the CLI, which reaches the running stack over its control API
      const moved = await cli(data, 'clock', 'advance', '15d');
      expect(moved).toMatchObject({ code: 0, out: expect.stringMatching(/^clock moved from 2027-03-09T10:00:\S+ to 2027-03-24T10:00:\S+\n$/) });
      sent = await outbox(stack);
      const M = ['alice@hashberg.io', 'bob@hashberg.io'];
      const OWNER = ['alice@hashberg.io']; // round-robin: reminders go to the owner, escalations to everyone
      const ML = [...M, 'security-lead@hashberg.io'];
      expect(sent.map((s) => [s.kind, s.to])).toEqual([
        ['receipt', ['jane@reporter.example']],
        ['notice', ['alice@hashberg.io', 'bob@hashberg.io']],
        ['followup:stranger', ['alice@hashberg.io', 'bob@hashberg.io']],
        ['relay', ['jane@reporter.example']],
        ['commands-applied', ['alice@hashberg.io', 'bob@hashberg.io']],
        ['embargo-end', ['alice@hashberg.io', 'bob@hashberg.io']],
        ['embargo-end:reporter', ['jane@reporter.example']],
        // updates are deadlines: reminded half-way and 2 hours before, escalated (with the lead) when missed; and
        // after the embargo ended, the disclosure is due within a day, then escalated again every week
        ['reminder:update', OWNER],
        ['reminder:disclose', OWNER],
        ['reminder:disclose', OWNER],
        ['escalation:disclose', ML],
        ['reminder:update', OWNER],
        ['escalation:update', ML],
        ['reminder:disclose', OWNER],
        ['reminder:update', OWNER],
        ['reminder:disclose', OWNER],
        ['escalation:disclose', ML],
        ['reminder:update', OWNER],
        ['escalation:update', ML],
        ['reminder:disclose', OWNER],
      ]);
      for (const s of sent.filter((m) => m.to.includes('jane@reporter.example'))) expect(s.raw).not.toMatch(/(alice|bob)@hashberg\.io/i);
      for (const s of sent) expect(s.from).toBe('security@hashberg.io');

      const shown = await cli(data, 'show', id, '--json');
      expect(shown.code).toBe(0);
      const view = JSON.parse(shown.out);
      const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
      expect(view.deadlines.map((d: { name: string; state: string }) => [d.name, d.state])).toEqual([
        ['acknowledge', 'met'],
        ['respond', 'met'],
        ['update', 'missed'], // 15 days with no update after the reply: the weekly promise was broken
        ['embargo', 'met'],
        ['disclose', 'missed'], // the embargo ended 12 days ago and nothing was published
      ]);
      for (const d of view.deadlines) expect(d.dueAt).toMatch(iso);
      // the relayed reply met the acknowledgment and the detailed response, when it was applied (between the
      // two readings of the running clock around its delivery)
      for (const met of [view.deadlines[0].metAt, view.deadlines[1].metAt]) {
        expect(new Date(met).getTime()).toBeGreaterThanOrEqual(beforeReply);
        expect(new Date(met).getTime()).toBeLessThanOrEqual(replyAt);
      }
      // the update shown is the one missed (a week after the reply, 10:00 GMT); calendar days keeping their
      // wall-clock time across BST is covered by test/core/timeline.test.ts
      expect(view.deadlines[2].dueAt).toMatch(/^2027-03-23T10:00:/);
      const types = view.events.map((e: { type: string }) => e.type);
      expect(types.slice(0, 3)).toEqual(['report.opened', 'mail.sent', 'mail.sent']);
      expect(types).toEqual(expect.arrayContaining(['followup.received', 'status.changed', 'embargo.set', 'reply.relayed']));
      const fired = view.events.filter((e: { type: string }) => e.type === 'timer.fired').map((e: { key: string }) => e.key.replace(/:\d{4}-.*/, ''));
      expect(fired.filter((k: string) => !k.startsWith('disclose:'))).toEqual(['embargo:end', 'update:remind:50%', 'update:remind:2h', 'update:escalate', 'update:remind:50%', 'update:remind:2h', 'update:escalate']);
      expect(fired.filter((k: string) => k.startsWith('disclose:'))).toEqual(['disclose:remind:50%', 'disclose:remind:2h', 'disclose:escalate', 'disclose:remind:50%', 'disclose:remind:2h', 'disclose:escalate', 'disclose:remind:50%']);

      sentBeforeRestart = sent;
      offsetBeforeRestart = clockOffset();
      clockBeforeRestart = stack.clock.now();
      messagesBeforeRestart = (await stack.deps.store.listMessages(id)).length;
    } finally {
      await stack.close();
    }

    // 5. restart on the same folder: the report, its messages and the clock are there; nothing is sent again
    stack = await startLocalStack({ config: CONFIG, data, port: 0, controlPort: 0 });
    let sam: string;
    try {
      await stack.runner.idle();
      expect(stack.clock.now().getTime()).toBeGreaterThanOrEqual(clockBeforeRestart.getTime());
      // the offset over real time that `clock advance` set was kept across the restart
      expect(clockOffset()).toBe(offsetBeforeRestart);
      expect((await stack.deps.store.listReports()).map((r) => [r.id, r.status])).toEqual([[id, 'triaged']]);
      expect(await stack.deps.store.listMessages(id)).toHaveLength(messagesBeforeRestart);
      expect(await stack.runner.isRunning(id)).toBe(true);
      expect((await outbox(stack)).map((s) => s.file)).toEqual(sentBeforeRestart.map((s) => s.file));

      // a second report that nobody answers, so that its timers fall due while the stack is stopped
      await deliver(stack, await readFile(join(ROOT, 'examples/mail/report-missing-info.eml'), 'utf8'), { from: 'sam@finder.example', to: 'security@hashberg.io' });
      sam = (await stack.deps.store.listReports()).find((r) => r.id !== id)!.id;
    } finally {
      await stack.close();
    }
    const sentBeforeStop = await outbox(stack);
    expect(sentBeforeStop.slice(sentBeforeRestart.length).map((s) => s.kind)).toEqual(['receipt', 'notice']);

    // 6. while stopped, two weeks pass (the persisted clock moves, as `secintake clock set` does)
    new LocalClock({ dataDir: data }).set(new Date(clockBeforeRestart.getTime() + 14 * DAY));
    stack = await startLocalStack({ config: CONFIG, data, port: 0, controlPort: 0 });
    try {
      await stack.runner.idle();
      const late = (await outbox(stack)).slice(sentBeforeStop.length);
      const of = (reportId: string) => late.filter((s) => s.subject.includes(`#${reportId}]`)).map((s) => [s.kind, s.to]);
      const maintainers = ['alice@hashberg.io', 'bob@hashberg.io'];
      // each report's due timers once, in the order they fell due; the weekly update missed twice while stopped
      // is escalated once, for the latest week (2027-04-06 09:00 UTC, 10:00 BST), not once per missed week, and
      // its "due soon" reminders, past by then, are dropped
      // the disclosure, overdue since long before the stop, is escalated once for the latest week too; the
      // half-way reminder of the next week, planned while the stack was stopped, says when it was planned
      expect(of(id)).toEqual([
        ['escalation:disclose', [...maintainers, 'security-lead@hashberg.io']],
        ['escalation:update', [...maintainers, 'security-lead@hashberg.io']],
        ['reminder:disclose', ['alice@hashberg.io']], // to the report's owner only
      ]);
      expect(late.find((s) => s.kind === 'escalation:update')!.file).toMatch(/update_escalate_2027-04-06T09_00/);
      const lateReminder = late.find((s) => s.kind === 'reminder:disclose')!;
      expect(lateReminder.text).toMatch(/This message was planned for .* and goes out late: the system was not running then\./);
      expect(lateReminder.text).toMatch(/is due in \d+ (days?|hours?)/);
      expect(of(sam)).toEqual([
        ['escalation:acknowledge', [...maintainers, 'security-lead@hashberg.io']],
        ['late:acknowledge', ['sam@finder.example']],
        // the date the late notice promised (24h later, the policy having no outer bound) was missed too
        ['escalation:acknowledge', [...maintainers, 'security-lead@hashberg.io']],
        ['escalation:respond', [...maintainers, 'security-lead@hashberg.io']],
        ['escalation:update', [...maintainers, 'security-lead@hashberg.io']],
      ]);
      expect(late).toHaveLength(8);
      // sent two weeks late, the reporter's notice promises no date that is already past, and the escalation
      // says exactly what the reporter was told
      const samNotice = late.find((s) => s.kind === 'late:acknowledge')!;
      expect(samNotice.text).toContain('have not yet done so');
      expect(samNotice.text).not.toContain('you will hear from us by');
      expect(late.find((s) => s.kind === 'escalation:acknowledge')!.text).toContain('The reporter has been told it is late.\n');
      // a reminder that something is due soon is not sent once it is overdue
      expect(late.filter((s) => /^reminder:/.test(s.kind))).toEqual([lateReminder]);
    } finally {
      await stack.close();
    }
    stack = await startLocalStack({ config: CONFIG, data, port: 0, controlPort: 0 });
    try {
      await stack.runner.idle();
      expect(await outbox(stack)).toHaveLength(sentBeforeStop.length + 8);
      for (const reportId of [id, sam]) {
        const fired = (await stack.deps.store.listEvents(reportId)).filter((e) => e.type === 'timer.fired');
        expect(new Set(fired.map((e) => e.key)).size).toBe(fired.length);
        const firedAt = fired.map((e) => String(e.detail['firedAt']));
        expect(firedAt).toEqual([...firedAt].sort());
      }
      expect((await stack.deps.store.listReports()).map((r) => r.id).sort()).toEqual([id, sam].sort());
    } finally {
      await stack.close();
    }
  }, testTimeout(240_000));
});
