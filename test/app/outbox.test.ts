import { mimeComposer } from '../../lambdas/adapters/mime-composer';
import { outboxMessageId, sendOnce, type OutboxDeps, type SendRequest } from '../../lambdas/app/outbox';
import type { Draft } from '../../lambdas/core/drafts';
import type { Report } from '../../lambdas/core/report';
import type { MailSender, OutboundEnvelope } from '../../lambdas/ports/mail-sender';
import { MemoryReportStore } from '../fakes/memory-report-store';
import { headerList } from '../support/raw-headers';

class RecordingSender implements MailSender {
  readonly sent: { raw: Buffer; envelope: OutboundEnvelope; outboxId: string }[] = [];
  failNext = false;
  async send(raw: Buffer, envelope: OutboundEnvelope, outboxId: string) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('SES throttled');
    }
    this.sent.push({ raw, envelope, outboxId });
    return { providerId: `ses-${this.sent.length}` };
  }
}

const report: Report = {
  id: 'K7QM-2XPD',
  project: 'bases',
  status: 'received',
  reporter: { address: 'jane@reporter.example' },
  subject: 'Heap overflow',
  createdAt: '2027-03-12T21:02:00.000Z',
  origin: 'ses-origin-0001',
  securityAddress: 'security@bases.example',
  fired: [],
  version: 1,
};

const draft: Draft = {
  kind: 'receipt',
  to: ['jane@reporter.example'],
  subject: '[security report #K7QM-2XPD] Heap overflow',
  text: 'We received your report.\n',
  autoSubmitted: 'auto-replied',
};

const request: SendRequest = {
  reportId: report.id,
  outboxId: 'receipt',
  draft,
  envelope: { from: 'security@bases.example', replyTo: 'security+k7qm2xpd.mac@bases.example', messageIdDomain: 'intake.bases.example', messageIdSeed: report.origin },
};

async function setup() {
  const store = new MemoryReportStore();
  await store.createReport(report);
  const sender = new RecordingSender();
  let now = new Date('2027-03-12T21:02:05Z');
  const clock = { now: () => now };
  const deps: OutboxDeps = { store, sender, clock, composer: mimeComposer };
  return { store, sender, deps, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('sendOnce', () => {
  it('sends, marks the outbox item sent, records the message, the audit event and the thread index', async () => {
    const { store, sender, deps } = await setup();
    const result = await sendOnce(deps, request);

    expect(result.sent).toBe(true);
    expect(sender.sent).toHaveLength(1);
    expect(sender.sent[0].envelope).toEqual({ from: 'security@bases.example', to: ['jane@reporter.example'] });
    const headers = new Map(headerList(sender.sent[0].raw));
    expect(headers.get('message-id')).toBe(`<${result.messageId}>`);
    expect(headers.get('x-security-intake')).toBe('K7QM-2XPD');
    expect(headers.get('reply-to')).toBe('security+k7qm2xpd.mac@bases.example');

    const item = await store.getOutbox(report.id, 'receipt');
    expect(item).toMatchObject({ state: 'sent', providerId: 'ses-1', messageId: result.messageId, kind: 'receipt' });
    const messages = await store.listMessages(report.id);
    expect(messages).toEqual([
      expect.objectContaining({ direction: 'out', id: 'receipt', kind: 'receipt', messageId: result.messageId, role: 'system' }),
    ]);
    const events = await store.listEvents(report.id);
    expect(events.map((e) => e.type)).toEqual(['mail.sent']);
    // a reply quoting our Message-ID threads to the report
    expect(await store.findReportByMessageIds([result.messageId])).toBe(report.id);
  });

  it('never sends the same outbox ID twice once it is marked sent', async () => {
    const { sender, deps } = await setup();
    const first = await sendOnce(deps, request);
    const again = await sendOnce(deps, request);
    expect(again).toEqual({ sent: false, reason: 'already sent', messageId: first.messageId });
    expect(sender.sent).toHaveLength(1);
  });

  it('sends on the retry when the first attempt failed at the sender (nothing lost)', async () => {
    const { store, sender, deps } = await setup();
    sender.failNext = true;
    await expect(sendOnce(deps, request)).rejects.toThrow('SES throttled');
    expect((await store.getOutbox(report.id, 'receipt'))?.state).toBe('pending');
    const retry = await sendOnce(deps, request);
    expect(retry.sent).toBe(true);
    expect(sender.sent).toHaveLength(1);
  });

  it('re-sends with the same Message-ID after a crash between sending and recording it sent (at least once)', async () => {
    const { store, sender, deps } = await setup();
    const append = store.appendToReport.bind(store);
    let calls = 0;
    store.appendToReport = async (items) => {
      if (items.outbox && calls++ === 0) throw new Error('crash');
      return append(items);
    };
    await expect(sendOnce(deps, request)).rejects.toThrow('crash');
    expect((await store.getOutbox(report.id, request.outboxId))?.state).toBe('pending');
    await sendOnce(deps, request);
    expect(sender.sent).toHaveLength(2);
    const ids = sender.sent.map((s) => new Map(headerList(s.raw)).get('message-id'));
    expect(ids[0]).toBe(ids[1]);
    expect(await sendOnce(deps, request)).toMatchObject({ sent: false, reason: 'already sent' });
    expect(sender.sent).toHaveLength(2);
    expect(await store.listMessages(report.id)).toHaveLength(1);
  });

  it('marks the item sent, threads our Message-ID and records the message in one write', async () => {
    const { store, deps } = await setup();
    const before = store.writes.length;
    const result = await sendOnce(deps, request);
    expect(store.writes.slice(before)).toEqual(['putOutbox', 'appendToReport']);
    expect((await store.getOutbox(report.id, request.outboxId))?.state).toBe('sent');
    expect(await store.findReportByMessageIds([result.messageId])).toBe(report.id);
  });

  it('sends to To and Cc, and records both', async () => {
    const { store, sender, deps } = await setup();
    await sendOnce(deps, { ...request, outboxId: 'escalation', draft: { ...draft, kind: 'escalation', to: ['m@bases.example'], cc: ['boss@bases.example'] } });
    expect(sender.sent[0].envelope.to).toEqual(['m@bases.example', 'boss@bases.example']);
    expect((await store.getOutbox(report.id, 'escalation'))?.to).toEqual(['m@bases.example', 'boss@bases.example']);
  });

  it('does nothing for a draft without recipients', async () => {
    const { store, sender, deps } = await setup();
    const result = await sendOnce(deps, { ...request, draft: { ...draft, to: [] } });
    expect(result).toMatchObject({ sent: false, reason: 'no recipients' });
    expect(sender.sent).toHaveLength(0);
    expect(await store.listOutbox(report.id)).toEqual([]);
  });
});

describe('outboxMessageId', () => {
  it('is stable per report and outbox ID, and cannot be derived from the public report ID', () => {
    const a = outboxMessageId('K7QM-2XPD', 'receipt', 'ses-origin-0001', 'intake.example');
    expect(outboxMessageId('K7QM-2XPD', 'receipt', 'ses-origin-0001', 'intake.example')).toBe(a);
    expect(outboxMessageId('K7QM-2XPD', 'notice', 'ses-origin-0001', 'intake.example')).not.toBe(a);
    expect(outboxMessageId('K7QM-2XPD', 'receipt', 'another-origin', 'intake.example')).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{32}@intake\.example$/);
    expect(a.toLowerCase()).not.toContain('k7qm');
  });
});

describe('sendOnce, concurrently', () => {
  it('joins two simultaneous calls for the same item: one send, the other sees "already sent"', async () => {
    const { sender, deps } = await setup();
    const results = await Promise.all([sendOnce(deps, request), sendOnce(deps, request), sendOnce(deps, request)]);
    expect(sender.sent).toHaveLength(1);
    expect(results.filter((r) => r.sent)).toHaveLength(1);
    expect(results.filter((r) => r.reason === 'already sent')).toHaveLength(2);
  });

  it('lets the waiting call send when the first one failed', async () => {
    const { sender, deps } = await setup();
    sender.failNext = true;
    const [first, second] = await Promise.allSettled([sendOnce(deps, request), sendOnce(deps, request)]);
    expect(first.status).toBe('rejected');
    expect(second).toMatchObject({ status: 'fulfilled', value: { sent: true } });
    expect(sender.sent).toHaveLength(1);
  });
});
