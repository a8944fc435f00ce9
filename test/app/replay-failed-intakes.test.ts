/**
 * `secintake --aws replay`'s use case on local parts: the real intake (the handler's own takeIn, on dynalite and
 * the file raw store) and a failure queue in memory with SQS's hide/release semantics. The entries carry SES
 * events exactly as Lambda's on-failure destination keeps them; the SQS/Lambda adapters are tested on their own
 * (test/adapters/aws/failed-intake-replay.test.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SESEvent } from 'aws-lambda';
import { takeIn } from '../../lambdas/handlers/intake';
import { listFailedIntakes, replayFailedIntakes } from '../../lambdas/app/replay-failed-intakes';
import type { IntakeInvoker } from '../../lambdas/ports/failed-intake-queue';
import { MemoryFailedIntakeQueue } from '../fakes/memory-failed-intake-queue';
import { loadExample, startHarness, type Harness } from '../support/intake-harness';

const ROOT = join(__dirname, '../..');

/** The SES receipt event the intake function got (and the on-failure record keeps as requestPayload). */
function sesEvent(messageId: string, dmarc = 'GRAY'): SESEvent {
  const status = (s: string) => ({ status: s });
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp: '2027-03-12T21:01:30.000Z',
            source: 'jane@reporter.example',
            messageId,
            destination: ['security@hashberg.io'],
            headersTruncated: false,
            headers: [],
            commonHeaders: { returnPath: 'jane@reporter.example', from: ['Jane Reporter <jane@reporter.example>'], to: ['security@hashberg.io'], messageId: '<x@reporter.example>', subject: 'x' },
          },
          receipt: {
            timestamp: '2027-03-12T21:01:30.000Z',
            processingTimeMillis: 10,
            recipients: ['security@hashberg.io'],
            spamVerdict: status('PASS'),
            virusVerdict: status('PASS'),
            spfVerdict: status('GRAY'),
            dkimVerdict: status('GRAY'),
            dmarcVerdict: status(dmarc),
            action: { type: 'Lambda', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Intake', invocationType: 'Event' },
          },
        },
      },
    ],
  } as unknown as SESEvent;
}

describe('replaying failed intakes from the failure queue', () => {
  let h: Harness;
  let report: Buffer;
  let invoked: string[];
  let intake: IntakeInvoker;

  beforeEach(async () => {
    h = await startHarness(loadExample('bases'));
    report = await readFile(join(ROOT, 'examples/mail/report.eml'));
    invoked = [];
    // what Lambda's Invoke does: the handler's code on the deployment's parts, an error becomes FunctionError
    intake = {
      async invoke(event) {
        invoked.push(...(event as SESEvent).Records.map((r) => r.ses.mail.messageId));
        try {
          return { ok: true, results: await takeIn(h.deps, event as SESEvent) };
        } catch (err) {
          return { ok: false, error: `${(err as Error).name}: ${(err as Error).message}` };
        }
      },
    };
  });
  afterEach(() => h.close());

  /** An intake that failed (its raw was not readable then), as the queue holds it afterwards. */
  async function failedOnce(queue: MemoryFailedIntakeQueue, id: string): Promise<void> {
    const first = await intake.invoke(sesEvent(id));
    expect(first.ok).toBe(false);
    queue.add(sesEvent(id), [id], first.ok ? '' : first.error);
  }

  it('runs intake again on every entry, removes those that succeed and leaves those that fail again', async () => {
    const queue = new MemoryFailedIntakeQueue();
    await failedOnce(queue, 'ses-fixed');
    await failedOnce(queue, 'ses-still-broken');
    expect((await h.store.getInbound('ses-fixed'))?.state).toBe('failed');
    await h.raw.put('inbound/ses-fixed', report); // the cause is fixed for one of them
    invoked = [];

    const shown: string[][] = [];
    const summary = await replayFailedIntakes(queue, intake, { confirm: async (entries) => (shown.push(entries.flatMap((e) => e.sesMessageIds)), true) });
    expect(shown).toEqual([['ses-fixed', 'ses-still-broken']]);
    expect(invoked).toEqual(['ses-fixed', 'ses-still-broken']);
    expect(summary.outcomes.map((o) => o.state)).toEqual(['replayed', 'failed']);
    const replayed = summary.outcomes[0];
    if (replayed.state !== 'replayed') throw new Error('unreachable');
    expect(replayed.results[0]).toMatchObject({ sesMessageId: 'ses-fixed', outcome: 'report' });
    const reportId = replayed.results[0].reportId!;
    expect((await h.store.getReport(reportId))?.subject).toContain('Quadratic-time decoding');
    expect((await h.store.getInbound('ses-fixed'))?.state).toBe('done');
    // the receipt went out once, with the verdicts of the queued event
    expect(h.sender.to('jane@reporter.example')).toHaveLength(1);
    // the one that failed again is back in view; the replayed one is gone
    expect(queue.ids()).toEqual(['ses-still-broken']);
    expect(queue.visible()).toBe(1);
    const failed = summary.outcomes[1];
    expect(failed.state === 'failed' && failed.error).toBe('RawMessageNotFound: no raw message stored under inbound/ses-still-broken');
  });

  it('--message-id replays that entry only and leaves the others untouched', async () => {
    const queue = new MemoryFailedIntakeQueue();
    await failedOnce(queue, 'ses-a');
    await failedOnce(queue, 'ses-b');
    await h.raw.put('inbound/ses-a', report);
    await h.raw.put('inbound/ses-b', report);
    invoked = [];
    const summary = await replayFailedIntakes(queue, intake, { messageId: 'ses-b', confirm: async () => true });
    expect(summary).toMatchObject({ waiting: 2, selected: 1, confirmed: true });
    expect(invoked).toEqual(['ses-b']);
    expect(queue.ids()).toEqual(['ses-a']);
    expect(queue.visible()).toBe(1);
  });

  it('an ID that is not on the queue is refused, naming what is waiting; nothing runs', async () => {
    const queue = new MemoryFailedIntakeQueue();
    await failedOnce(queue, 'ses-a');
    invoked = [];
    await expect(replayFailedIntakes(queue, intake, { messageId: 'ses-zzz', confirm: async () => true })).rejects.toThrow(
      'ses-zzz is not on the failure queue (waiting: ses-a)',
    );
    expect(invoked).toEqual([]);
    expect(queue.visible()).toBe(1);
  });

  it('declining the confirmation runs nothing and puts every entry back', async () => {
    const queue = new MemoryFailedIntakeQueue();
    await failedOnce(queue, 'ses-a');
    await h.raw.put('inbound/ses-a', report);
    invoked = [];
    const summary = await replayFailedIntakes(queue, intake, { confirm: async () => false });
    expect(summary.confirmed).toBe(false);
    expect(invoked).toEqual([]);
    expect(queue.visible()).toBe(1);
    expect((await h.store.getInbound('ses-a'))?.state).toBe('failed');
  });

  it('replaying the same message twice acts once (intake is keyed by the SES message ID)', async () => {
    const queue = new MemoryFailedIntakeQueue();
    await failedOnce(queue, 'ses-a');
    queue.add(sesEvent('ses-a'), ['ses-a']); // a second failure record of the same message
    await h.raw.put('inbound/ses-a', report);
    const summary = await replayFailedIntakes(queue, intake, { confirm: async () => true });
    const results = summary.outcomes.flatMap((o) => (o.state === 'replayed' ? o.results : []));
    expect(results.map((r) => [r.outcome, r.duplicate === true])).toEqual([
      ['report', false],
      ['report', true],
    ]);
    expect(h.sender.to('jane@reporter.example')).toHaveLength(1);
    expect(queue.ids()).toEqual([]);
  });

  it('listing changes nothing; an entry that is not an on-failure record is left on the queue', async () => {
    const queue = new MemoryFailedIntakeQueue();
    queue.add(undefined, []);
    expect((await listFailedIntakes(queue)).length).toBe(1);
    expect(queue.visible()).toBe(1);
    const summary = await replayFailedIntakes(queue, intake, { confirm: async () => true });
    expect(summary.outcomes.map((o) => o.state)).toEqual(['skipped']);
    expect(queue.visible()).toBe(1);
  });
});
