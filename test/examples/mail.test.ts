import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '../../lambdas/adapters/local/config-file';
import { parseCommands } from '../../lambdas/core/commands';
import { missingInformation } from '../../lambdas/core/drafts/report-content';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const [bases] = loadConfigFile(join(EXAMPLES, 'bases.json')).projects;

/** The example messages are single-part plain text: headers, a blank line, the body. */
function readExample(name: string): { headers: string; body: string } {
  const raw = readFileSync(join(EXAMPLES, 'mail', name), 'utf8');
  const split = raw.indexOf('\n\n');
  return { headers: raw.slice(0, split), body: raw.slice(split + 2) };
}

describe('example mail matches the bases example config', () => {
  it('report.eml gives everything bases asks for', () => {
    const { headers, body } = readExample('report.eml');
    expect(headers).toMatch(/^To: security@hashberg\.io$/m);
    expect(headers).toMatch(/^Message-ID: <[^>]+@[^>]+>$/m);
    expect(missingInformation(body, bases)).toEqual([]);
  });

  it('report-missing-info.eml lacks exactly the affected versions and the credit preference', () => {
    const { body } = readExample('report-missing-info.eml');
    expect(missingInformation(body, bases).map((item) => item.key).sort()).toEqual(['affected-versions', 'credit']);
  });

  it('maintainer-reply.eml comes from a bases maintainer and starts with commands, then a blank line', () => {
    const { headers, body } = readExample('maintainer-reply.eml');
    const from = /^From: .*<([^>]+)>$/m.exec(headers)?.[1];
    expect(bases.maintainers.map((m) => m.address)).toContain(from);
    expect(headers).toMatch(/^Subject: Re: \[security report #XXXX-XXXX\] /m);
    expect(body.split('\n').slice(0, 3)).toEqual(['Status: triaged', 'Embargo: 72h', '']);
    const embargo = { defaultDuration: bases.timers.embargo!.default, max: bases.timers.embargo!.max };
    const parsed = parseCommands(body, new Date('2026-11-14T11:20:05Z'), embargo);
    expect(parsed.errors).toEqual([]);
    expect(parsed.commands).toEqual([
      { name: 'status', status: 'triaged' },
      { name: 'embargo', embargo: { kind: 'duration', text: '72h' } },
    ]);
    expect(parsed.rest).toMatch(/^Hi Jane,/);
  });
});
