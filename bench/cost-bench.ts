/**
 * `npm run bench -- cost`: the bases seed scenario (as test/e2e/scenario-bases.test.ts plays it: a report, four
 * maintainer replies, reminders, escalations, an embargo, disclosure) on the local stack, counting what AWS bills:
 * Step Functions state transitions (the local runner counts StateEntered), DynamoDB requests (a counter on the
 * stack's client), Lambda invocations, SES sends (outbox), S3 requests; then the cost of 1,000 such reports at the
 * list prices below. Also the transitions of an idle open report (examples/template.json, acknowledged, then
 * nothing due) over 28 days.
 */
import { RequestCounter } from '../lambdas/adapters/aws/request-counter';
import { CapacityCounter } from './capacity-counter';
import type { LocalStack } from '../lambdas/local/stack';
import { example, exampleMail, plainMail, redated, startScenario, type Scenario } from '../test/e2e/scenario-support';
import { record } from './budgets';

/** us-east-1 list prices (checked 2026-12; see each service's pricing page). */
export const PRICES = {
  transition: 0.025 / 1000, // Step Functions Standard, per state transition (after 4,000 free a month)
  writeRequest: 0.625 / 1e6, // DynamoDB on-demand, per write request unit (1 KB of an item; 2 in a transaction)
  readRequest: 0.125 / 1e6, // DynamoDB on-demand, per read request unit (4 KB of an item, strongly consistent)
  lambdaRequest: 0.2 / 1e6, // Lambda, per invocation
  lambdaGbSecond: 0.0000133334, // Lambda arm64, per GB-second
  sesMessage: 0.1 / 1000, // SES outbound, per message (and per 1,000 inbound chunks of 256 KB: same price)
  s3Put: 0.005 / 1000, // S3 Standard PUT
  s3Get: 0.0004 / 1000, // S3 Standard GET
} as const;
/** As the stack sizes them; durations modelled, not measured here (a cold start adds about the bundle's load). */
const LAMBDA = { intakeGb: 1, tickGb: 0.5, armGb: 0.25, intakeSeconds: 0.3, tickSeconds: 0.1, armSeconds: 0.05 };
const PRICE_TEXT =
  '$0.025 per 1,000 transitions; DynamoDB on-demand $0.625 per million write units, $0.125 per million read units; Lambda arm64 ' +
  '$0.20 per million requests, $0.0000133334 per GB-s; SES $0.10 per 1,000 mails; S3 $0.005 per 1,000 PUT, $0.0004 per 1,000 GET';

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'BatchWriteItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand']);

function countRequests(stack: LocalStack): { counter: RequestCounter; capacity: CapacityCounter } {
  const counter = new RequestCounter();
  const capacity = new CapacityCounter();
  // the store's document client shares its DynamoDBClient's middleware stack (a private field, bench only)
  const stackOf = (stack.deps.store as unknown as { doc: { middlewareStack: { use(p: unknown): void } } }).doc.middlewareStack;
  stackOf.use(counter.plugin());
  stackOf.use(capacity.plugin());
  return { counter, capacity };
}

async function basesScenario(): Promise<{ transitions: number; counter: RequestCounter; capacity: CapacityCounter; inbound: number; sent: number }> {
  const ARRIVAL = '2026-10-20T09:00:00Z';
  const ALICE = 'alice@hashberg.io';
  const s: Scenario = await startScenario({ config: example('bases'), startAt: ARRIVAL, maintainerDomains: ['hashberg.io'] });
  try {
    const { counter, capacity } = countRequests(s.stack);
    await s.deliver(redated(await exampleMail('report'), ARRIVAL), { from: 'jane@reporter.example', to: 'security@hashberg.io' });
    const [report] = await s.stack.deps.store.listReports();
    const receipt = (await s.outbox())[0]!;
    const reply = (at: string, n: number, body: string) =>
      s.deliver(plainMail({ from: `Alice <${ALICE}>`, to: receipt.replyTo, subject: `Re: ${receipt.subject}`, date: at, messageId: `m${n}@hashberg.io`, body }), { from: ALICE, to: receipt.replyTo }, true);
    await s.advanceTo('2026-10-21T05:00:00Z');
    await reply('2026-10-21T05:00:00Z', 1, 'Thanks Jane, we can reproduce it; an assessment follows.\n');
    await s.advanceTo('2026-10-22T11:00:00Z');
    await reply('2026-10-22T11:00:00Z', 2, 'Status: triaged\nSeverity: medium\nCredit: Jane Reporter (Example Security Research)\n\nAssessment follows.\n');
    await s.advanceTo('2026-10-30T09:00:00Z');
    await reply('2026-10-30T09:00:00Z', 3, 'Status: fixing\nEmbargo: 72h\n\nThe announcement issue is public.\n');
    await s.advanceTo('2026-11-02T15:00:00Z');
    await reply('2026-11-02T15:00:00Z', 4, 'Status: disclosed\n\nReleased 0.3.1 and published the advisory.\n');
    await s.advanceTo('2026-11-30T00:00:00Z');
    return { transitions: s.stack.runner.transitions(report!.id), counter, capacity, inbound: 5, sent: (await s.outbox()).length };
  } finally {
    await s.close();
  }
}

async function idleTransitionsPerWeek(): Promise<number> {
  const ARRIVAL = '2027-02-01T08:30:00Z';
  const s = await startScenario({ config: example('template'), startAt: ARRIVAL, maintainerDomains: ['yourdomain.com'] });
  try {
    await s.deliver(redated(await exampleMail('report-missing-info'), ARRIVAL, 'security@yourdomain.com'), { from: 'sam@finder.example', to: 'security@yourdomain.com' });
    const [report] = await s.stack.deps.store.listReports();
    const receipt = (await s.outbox())[0]!;
    await s.advanceTo('2027-02-01T10:00:00Z');
    await s.deliver(
      plainMail({ from: 'Bob <bob@yourdomain.com>', to: receipt.replyTo, subject: `Re: ${receipt.subject}`, date: '2027-02-01T10:00:00Z', messageId: 'ack-1@yourdomain.com', body: 'We have your report.\n' }),
      { from: 'bob@yourdomain.com', to: receipt.replyTo },
      true,
    );
    await s.advanceTo('2027-02-02T10:00:00Z');
    const before = s.stack.runner.transitions(report!.id);
    await s.advanceTo('2027-03-01T10:00:00Z'); // 4 weeks with nothing due
    return (s.stack.runner.transitions(report!.id) - before) / 4;
  } finally {
    await s.close();
  }
}

export async function costSection(): Promise<void> {
  const run = await basesScenario();
  const counts = run.counter.byCommand();
  const writes = Object.entries(counts).filter(([k]) => WRITES.has(k)).reduce((a, [, n]) => a + n, 0);
  const reads = run.counter.total() - writes;
  // Tick, Sleep per loop; the last Sleep (arm ends the execution) is followed by Closed
  const ticks = Math.round((run.transitions - 1) / 2);
  const invocations = { intake: run.inbound, tick: ticks, arm: ticks };
  const gbSeconds =
    LAMBDA.intakeGb * invocations.intake * LAMBDA.intakeSeconds + LAMBDA.tickGb * invocations.tick * LAMBDA.tickSeconds + LAMBDA.armGb * invocations.arm * LAMBDA.armSeconds;
  const s3 = { put: run.inbound, get: run.inbound };
  const perReport = {
    'Step Functions transitions': run.transitions * PRICES.transition,
    // billed per request unit, not per request: a batch of five items is five units, a transaction's item two
    'DynamoDB request units': run.capacity.writeUnits * PRICES.writeRequest + run.capacity.readUnits * PRICES.readRequest,
    'Lambda requests + GB-s': (invocations.intake + invocations.tick + invocations.arm) * PRICES.lambdaRequest + gbSeconds * PRICES.lambdaGbSecond,
    'SES (mail in + out)': (run.sent + run.inbound) * PRICES.sesMessage,
    'S3 requests': s3.put * PRICES.s3Put + s3.get * PRICES.s3Get,
  };
  const total = Object.values(perReport).reduce((a, b) => a + b, 0);
  console.log('\ncost: the bases scenario, one report (counted on the local stack)');
  console.log(
    `  ${run.transitions} state transitions; DynamoDB ${reads} read + ${writes} write requests (${run.capacity.readUnits.toFixed(1)} read + ${run.capacity.writeUnits.toFixed(1)} write units, ` +
      `as the table counts them); Lambda ${invocations.intake} intake + ${invocations.tick} tick + ` +
      `${invocations.arm} arm invocations (${gbSeconds.toFixed(2)} GB-s modelled: ${JSON.stringify(LAMBDA)}); SES ${run.sent} sent + ${run.inbound} received; S3 ${s3.put} PUT + ${s3.get} GET`,
  );
  console.log(`  list prices assumed (USD, us-east-1): ${PRICE_TEXT}`);
  console.log('  per 1,000 reports (USD): ' + Object.entries(perReport).map(([k, v]) => `${k} ${(v * 1000).toFixed(2)}`).join('; ') + `; total ${(total * 1000).toFixed(2)}`);
  console.log('  (storage, KMS requests, CloudWatch logs and free tiers left out)');
  record('transitions', String(run.transitions), run.transitions <= 30);
  record('cost', `$${(total * 1000).toFixed(2)}`);
  const idle = await idleTransitionsPerWeek();
  console.log(`idle open report (template policy, acknowledged, nothing due): ${idle.toFixed(1)} state transitions per 7 days`);
  record('idle', idle.toFixed(1), idle <= 3);
}
