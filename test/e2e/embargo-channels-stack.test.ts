/**
 * Issue 14, points 6 and 7 on the local stack (SMTP in, DKIM-signed maintainer mail checked against the stack's
 * offline DNS, the real workflow runner, mail read back from the outbox, a moving clock):
 * - shared with linux-distros, the embargo comes down to the list's 14 days; the reporter is told why; a later
 *   date is refused with the reason; an unsigned "Embargo: channel" changes nothing; the end fires at the
 *   channel's limit, not at the project's date; `secintake show --json` gives the effective embargo's sources;
 * - `secintake export --format osv|cve` on the stack's data folder gives records valid against the published
 *   schemas, from the facts, the CVE ID and the confirmed credit.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { addDuration } from '../../lambdas/core/deadline';
import { cli } from '../support/cli';
import { checked, cveValidator, osvValidator } from '../support/record-schemas';
import { example, exampleMail, plainMail, redated, startScenario, type Scenario } from './scenario-support';
import { loadExample } from '../support/intake-harness';

const ALICE = 'alice@hashberg.io';
const REPORTER = 'jane@reporter.example';
const ARRIVAL = '2026-10-20T09:00:00Z';
const DAY = 24 * 3600_000;
const ORG = 'b3476cb9-2e3d-41a6-98d0-0f47421a65b6';

let s: Scenario;
let dir: string;
let configFile: string;
const bases = loadExample('bases');
const calendar = bases.projects[0].calendar;

beforeAll(async () => {
  // bases, allowing 30 days, so that the list's 14 days are what limits
  dir = await mkdtemp(join(tmpdir(), 'secintake-channels-'));
  const raw = JSON.parse(await readFile(example('bases'), 'utf8'));
  raw.projects[0].timers.embargo = { default: '72h', max: '30d' };
  delete raw.$schema;
  configFile = join(dir, 'bases-30d.json');
  await writeFile(configFile, JSON.stringify(raw));
  s = await startScenario({ config: configFile, startAt: ARRIVAL, maintainerDomains: ['hashberg.io'] });
});
afterAll(async () => {
  await s.close();
  await rm(dir, { recursive: true, force: true });
});

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

test('linux-distros limits the embargo, a later date is refused, the end fires at the limit; then OSV and CVE records of the report', async () => {
  await s.deliver(redated(await exampleMail('report'), ARRIVAL), { from: REPORTER, to: 'security@hashberg.io' });
  const id = (await s.stack.deps.store.listReports())[0]!.id;
  const receipt = (await s.outbox()).find((m) => m.kind === 'receipt')!;
  let n = 0;
  const reply = async (body: string, sign = true) => {
    const at = s.stack.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await s.deliver(plainMail({ from: ALICE, to: receipt.replyTo, subject: `Re: ${receipt.subject}`, date: at, messageId: `c${++n}@hashberg.io`, body }), { from: ALICE, to: receipt.replyTo }, sign);
    await s.stack.runner.idle();
  };

  await reply('Status: triaged\nEmbargo: 25d\n\nConfirmed; we aim to release within the month.\n');
  const projectEnd = (await s.stack.deps.store.getReport(id))!.embargo!.until;
  await s.advanceTo(new Date(Date.parse(ARRIVAL) + DAY).toISOString());

  // an unsigned message in Alice's name shares nothing
  await reply('Embargo: channel linux-distros\n\nshared\n', false);
  expect((await s.stack.deps.store.getReport(id))!.embargoChannels).toBeUndefined();

  const sharedAt = s.stack.clock.now();
  await reply('Embargo: channel linux-distros\n\nWe shared the report with the linux-distros list so that distributions can prepare updates.\n');
  const limit = addDuration(sharedAt, '14d', calendar).toISOString();
  let report = (await s.stack.deps.store.getReport(id))!;
  expect(report.embargo).toMatchObject({ until: limit, setBy: 'channel:linux-distros' });
  expect(report.embargoProject).toEqual({ until: projectEnd, setBy: ALICE });
  const relay = (await s.outbox()).filter((m) => m.to.includes(REPORTER)).at(-1)!;
  expect(relay.text).toContain('We shared the report with the linux-distros list');
  expect(relay.text.replace(/\s+/g, ' ')).toMatch(/now ends on .* It ends with the limit of an outside channel the report was shared with \(the linux-distros list: at most 14 days \(7 days preferred\)/);

  // a later date: refused, with the channel's rule and the instant it allows
  await reply(`Embargo: ${utc(new Date(Date.parse(limit) + 3 * DAY))}\n\nA little longer.\n`);
  const refused = (await s.outbox()).filter((m) => m.kind === 'embargo-refused').at(-1)!;
  expect(refused.to).toEqual([ALICE]);
  expect(refused.text.replace(/\s+/g, ' ')).toContain(`is past the limit of linux-distros, with which the report was shared: the linux-distros list: at most 14 days (7 days preferred) from when it was shared (${sharedAt.toISOString()}), i.e. until ${limit}`);
  expect((await s.stack.deps.store.getReport(id))!.embargo!.until).toBe(limit);

  // show --json: the effective embargo and its sources
  const data = dirname(s.stack.outboxDir);
  const shown = JSON.parse((await cli('--data', data, 'show', id, '--json')).out);
  expect(shown.report.embargo.effective).toEqual({
    end: limit,
    sources: [
      { source: 'channel:linux-distros', end: limit, rule: `the linux-distros list: at most 14 days (7 days preferred) from when it was shared (${sharedAt.toISOString()})` },
      { source: 'project', end: projectEnd, rule: `the project's embargo, set by ${ALICE}` },
    ],
  });
  expect((await cli('--data', data, 'show', id)).out).toContain(`${limit}  channel:linux-distros: the linux-distros list`);

  // the clock moves: the embargo ends at the channel's limit, not at the project's date
  await s.advanceTo(new Date(Date.parse(limit) + 60_000).toISOString());
  const ends = (await s.fired(id)).filter((f) => f.key.startsWith('embargo:end:'));
  expect(ends).toEqual([{ key: `embargo:end:${limit}`, dueAt: limit.replace('.000Z', 'Z'), firedAt: limit.replace('.000Z', 'Z') }]);
  expect((await s.outbox()).filter((m) => m.kind === 'embargo-end:reporter')).toHaveLength(1);

  // the facts, the CVE ID and the credit, then the records
  await reply('Status: fixed\nAffected: PyPI bases >=0.2.0, <0.3.1\nFixed: 0.3.1\nCWE: CWE-407\nSeverity: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\nCVE: CVE-2026-41234\nCredit: Jane Reporter (Example Security Research)\n\nReleased in 0.3.1.\n');
  report = (await s.stack.deps.store.getReport(id))!;
  expect(report.facts?.affected).toHaveLength(1);

  const osv = await cli('--data', data, 'export', id, '--format', 'osv', '--reference', 'https://github.com/hashberg-io/bases/releases/tag/v0.3.1');
  expect(osv.code).toBe(0);
  const osvRecord = JSON.parse(osv.out);
  expect(checked(osvValidator(), osvRecord)).toEqual({ valid: true, errors: null });
  expect(osvRecord).toMatchObject({
    id: 'CVE-2026-41234',
    affected: [{ package: { ecosystem: 'PyPI', name: 'bases' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0.2.0' }, { fixed: '0.3.1' }] }] }],
    credits: [{ name: 'Jane Reporter (Example Security Research)', type: 'FINDER' }],
  });

  const file = join(dir, 'cve.json');
  const cve = await cli('--data', data, 'export', id, '--format', 'cve', '--org-id', ORG, '--short-name', 'hashberg', '--reference', 'https://github.com/hashberg-io/bases/releases/tag/v0.3.1', '-o', file);
  expect(cve.code).toBe(0);
  expect(cve.out).toContain(`wrote ${file}: the CVE JSON 5.0 record of ${id}`);
  const cveRecord = JSON.parse(await readFile(file, 'utf8'));
  expect(checked(cveValidator(), cveRecord)).toEqual({ valid: true, errors: null });
  expect(cveRecord.containers.cna.affected[0].versions).toEqual([{ version: '0.2.0', status: 'affected', lessThan: '0.3.1', versionType: 'python' }]);

  // what a CNA record needs and the report cannot give is named
  const incomplete = await cli('--data', data, 'export', id, '--format', 'cve');
  expect(incomplete.code).toBe(2);
  expect(incomplete.err).toContain("a CVE record needs the CNA's organisation UUID (--org-id), at least one reference URL (--reference https://...)");
});
