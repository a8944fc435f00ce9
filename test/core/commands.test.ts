import { parseCommands } from '../../lambdas/core/commands';

const now = new Date('2026-11-10T09:00:00Z');
const embargo = { defaultDuration: '7d', max: '90d' };

describe('parseCommands: the command block', () => {
  it('reads the leading pseudo-headers and leaves the text below for the reporter', () => {
    const body = [
      'Status: triaged',
      'Severity: High',
      'CVE: cve-2026-12345',
      'Credit: Jane Doe (Example Corp)',
      'Internal: no',
      'Embargo: 2026-12-01 12:00 UTC',
      '',
      'Hi Jane,',
      'thanks, we can reproduce it.',
    ].join('\n');
    const parsed = parseCommands(body, now, embargo);
    expect(parsed.errors).toEqual([]);
    expect(parsed.commands).toEqual([
      { name: 'status', status: 'triaged' },
      { name: 'severity', severity: 'high' },
      { name: 'cve', cve: 'CVE-2026-12345' },
      { name: 'credit', credit: 'Jane Doe (Example Corp)' },
      { name: 'internal', internal: false },
      { name: 'embargo', embargo: { kind: 'at', iso: '2026-12-01T12:00:00.000Z' } },
    ]);
    expect(parsed.rest).toBe('Hi Jane,\nthanks, we can reproduce it.');
  });

  it('ends the block at a line that is not a command, without needing a blank line', () => {
    const parsed = parseCommands('Status: fixing\r\nHi Jane,\r\nStatus: closed invalid\r\n', now);
    expect(parsed.commands).toEqual([{ name: 'status', status: 'fixing' }]);
    expect(parsed.rest).toBe('Hi Jane,\nStatus: closed invalid\n');
  });

  it('leaves a body without commands untouched', () => {
    const body = 'Hi Jane,\n\nStatus: fixed\n';
    expect(parseCommands(body, now)).toEqual({ commands: [], errors: [], rest: body });
    expect(parseCommands('', now)).toEqual({ commands: [], errors: [], rest: '' });
  });

  it('skips blank lines before the block and accepts any case of names', () => {
    const parsed = parseCommands('\n\n  STATUS: Acknowledged\ninternal: YES\n\nText', now);
    expect(parsed.commands).toEqual([
      { name: 'status', status: 'acknowledged' },
      { name: 'internal', internal: true },
    ]);
    expect(parsed.rest).toBe('Text');
  });

  it('accepts a known command without a space after the colon', () => {
    expect(parseCommands('Status:fixed\n\nok', now).commands).toEqual([{ name: 'status', status: 'fixed' }]);
  });

  it('does not take a URL or a smiley for a command', () => {
    for (const body of ['https://example.org/advisory\n', 'Thanks:)\n']) {
      expect(parseCommands(body, now)).toEqual({ commands: [], errors: [], rest: body });
    }
  });
});

describe('parseCommands: errors are reported, never guessed', () => {
  it('calls an unknown command-shaped line an error, with an example', () => {
    const parsed = parseCommands('Priority: high\nStatus: triaged\n\nHello', now);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]).toMatchObject({ line: 'Priority: high', reason: expect.stringMatching(/not a command/) });
    expect(parsed.errors[0]!.example).toMatch(/^Status: /);
    expect(parsed.commands).toEqual([{ name: 'status', status: 'triaged' }]);
    expect(parsed.rest).toBe('Hello');
  });

  it('refuses the same command twice', () => {
    const parsed = parseCommands('Status: triaged\nStatus: fixed\n', now);
    expect(parsed.errors[0]!.reason).toMatch(/twice/);
  });

  it.each([
    ['Status: done', /not a status/],
    ['Status: closed', /needs a reason/],
    ['Status: closed because', /not a reason/],
    ['Status: closed duplicate', /duplicate needs the report ID/],
    ['Status: closed duplicate of nothing', /duplicate needs the report ID/],
    ['Status: triaged invalid', /only "closed" takes a reason/],
    ['Status:', /missing/],
    ['Severity: urgent', /not a severity/],
    ['CVE: 2026-1234', /not a CVE/],
    ['CVE: CVE-26-1234', /not a CVE/],
    ['Internal: maybe', /not yes or no/],
    ['Credit: ' + 'x'.repeat(201), /at most 200/],
    ['Embargo: next tuesday', /not a date/],
    ['Embargo: 2026-12-01', /not a date with a time zone/],
    ['Embargo: 2026-12-01 12:00', /not a date with a time zone/],
    ['Embargo: 2026-02-30 12:00 UTC', /not a real date/],
    ['Embargo: 2026-12-01 25:00 UTC', /not a real date/],
    ['Embargo: 2026-01-01 12:00 UTC', /already past/],
    ['Embargo: 0h', /more than zero/],
    ['Embargo: 2026-12-01T12:00+15:00', /offset/],
  ])('%s', (line, reason) => {
    const parsed = parseCommands(`${line}\n\ntext`, now, embargo);
    expect(parsed.commands).toEqual([]);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]!.reason).toMatch(reason);
  });
});

describe('parseCommands: Status closed', () => {
  it.each([
    ['closed invalid', { reason: 'invalid' }],
    ['closed (invalid)', { reason: 'invalid' }],
    ['Closed: wontfix', { reason: 'wontfix' }],
    ["closed won't fix", { reason: 'wontfix' }],
    ['closed not-supported', { reason: 'not-supported' }],
    ['closed not supported', { reason: 'not-supported' }],
    ['closed duplicate of K7QM-2XPD', { reason: 'duplicate', duplicateOf: 'K7QM-2XPD' }],
    ['closed (duplicate of k7qm2xpd)', { reason: 'duplicate', duplicateOf: 'K7QM-2XPD' }],
    ['closed duplicate K7QM-2XPD', { reason: 'duplicate', duplicateOf: 'K7QM-2XPD' }],
  ])('Status: %s', (value, expected) => {
    expect(parseCommands(`Status: ${value}\n`, now).commands).toEqual([{ name: 'status', status: 'closed', ...expected }]);
  });
});

describe('parseCommands: Embargo', () => {
  it.each([
    ['72h', { kind: 'duration', text: '72h' }],
    ['3D', { kind: 'duration', text: '3d' }],
    ['48bh', { kind: 'duration', text: '48bh' }],
    ['none', { kind: 'none' }],
    ['None', { kind: 'none' }],
    ['default', { kind: 'duration', text: '7d' }],
    ['2026-12-01T12:00:00Z', { kind: 'at', iso: '2026-12-01T12:00:00.000Z' }],
    ['2026-12-01T14:00+02:00', { kind: 'at', iso: '2026-12-01T12:00:00.000Z' }],
    ['2026-12-01 07:00 -0500', { kind: 'at', iso: '2026-12-01T12:00:00.000Z' }],
    ['2026-12-01 12:00 GMT', { kind: 'at', iso: '2026-12-01T12:00:00.000Z' }],
  ])('Embargo: %s', (value, expected) => {
    const parsed = parseCommands(`Embargo: ${value}\n`, now, embargo);
    expect(parsed.errors).toEqual([]);
    expect(parsed.commands).toEqual([{ name: 'embargo', embargo: expected }]);
  });

  it('needs a configured default for "default"', () => {
    expect(parseCommands('Embargo: default\n', now).errors[0]!.reason).toMatch(/no default embargo/);
  });

  it('leaves the maximum to the timers (a long duration is returned unresolved)', () => {
    expect(parseCommands('Embargo: 400d\n', now, embargo).commands).toEqual([
      { name: 'embargo', embargo: { kind: 'duration', text: '400d' } },
    ]);
  });
});

describe('parseCommands: hostile values', () => {
  it('cannot smuggle a header through a value: the line ends the value', () => {
    const parsed = parseCommands('Credit: Jane\r\nBcc: victim@example.org\r\n\r\nHi', now);
    expect(parsed.commands).toEqual([{ name: 'credit', credit: 'Jane' }]);
    expect(parsed.errors).toEqual([
      expect.objectContaining({ line: 'Bcc: victim@example.org', reason: expect.stringMatching(/not a command/) }),
    ]);
  });

  it('treats a lone CR, vertical tab, form feed, NEL and U+2028 as breaks or strips them', () => {
    const parsed = parseCommands('Credit: Jane\rBcc: x@example.org\n\n', now);
    expect(parsed.errors).toHaveLength(1);
    const credit = parseCommands('Credit: Ja\u000bne\u000c Doe\u0085\u2028Bcc: x\u0000\u202e\n', now).commands[0];
    expect(credit).toEqual({ name: 'credit', credit: 'Jane DoeBcc: x' });
    expect(JSON.stringify(credit)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202e]/);
  });

  it('quotes the offending line without control characters', () => {
    const parsed = parseCommands('Sev\u0007erity: extreme\u001b[31m\n', now);
    expect(parsed.errors[0]!.line).toBe('Severity: extreme[31m');
  });

  it('shortens a very long offending line', () => {
    const parsed = parseCommands(`Status: ${'x'.repeat(5000)}\n`, now);
    expect(parsed.errors[0]!.line.length).toBeLessThanOrEqual(120);
  });

  // a quadratic scan would run for minutes here: the generous jest timeout is the guard, not a timed assertion
  it('reads the block of a huge body and stops there', () => {
    const body = 'Status: triaged\n\n' + 'a: b\n'.repeat(200_000);
    const parsed = parseCommands(body, now);
    expect(parsed.commands).toEqual([{ name: 'status', status: 'triaged' }]);
    expect(parsed.rest.length).toBe(200_000 * 5);
  }, 20_000);

  it.each(['100000bd', '9'.repeat(400) + 'h', '1e400d', '731d', '99999999m'])('refuses an absurd embargo length (%s) with an answer, never a crash', (value) => {
    const parsed = parseCommands(`Embargo: ${value}\n`, now);
    expect(parsed.commands).toEqual([]);
    expect(parsed.errors[0]!.reason).toMatch(/longer than any embargo|not a date/);
  });
});

describe('parseCommands: size', () => {
  it('stops after two dozen command-shaped lines instead of listing thousands of errors', () => {
    const parsed = parseCommands('a: b\n'.repeat(100_000), now);
    expect(parsed.errors.length).toBeLessThanOrEqual(25);
    expect(parsed.errors.at(-1)!.reason).toMatch(/more than 24 command lines/);
  });
});
