/**
 * "Never invent" (issue 18): a sentence that limits the reporter is not a promise; a sentence in another language
 * is reported as not read; a hedged, negated or ambiguous sentence goes to a person; what the file does not
 * promise is listed by field. And whatever the text, the importer returns, and every value it proposes is
 * quoted from the file.
 */
import fc from 'fast-check';
import { importPolicy, PROMISE_PATHS } from '../../../lambdas/core/policy-import/import-policy';
import { readBlocks } from '../../../lambdas/core/policy-import/markdown-text';

const why = (md: string) => importPolicy(md).unsure.map((u) => u.why).join(' | ');

describe('sentences that are not project promises', () => {
  it('a limit on the reporter is no promise, and is set aside with its reason', () => {
    const p = importPolicy('Please do not ask for status updates more than once every 14 days.');
    expect(p.project.timers).toBeUndefined();
    expect(p.ignored).toEqual([{ sentence: 'Please do not ask for status updates more than once every 14 days.', why: expect.stringContaining('reporter') }]);
    expect(importPolicy('You should not contact us again within 7 days.').project.timers).toBeUndefined();
  });

  it('a request to wait before disclosing is for a person to decide, not an embargo the project promises', () => {
    const p = importPolicy('Please allow us 90 days to fix the issue before any public disclosure.');
    expect(p.project.timers).toBeUndefined();
    expect(p.unsure[0].why).toMatch(/asks the reporter to wait/);
  });

  it('"if you have not heard back within 48 hours" implies a promise but states none', () => {
    const p = importPolicy('If you have not heard back within 48 hours, please follow up by email.');
    expect(p.project.timers).toBeUndefined();
    expect(p.unsure[0].why).toMatch(/implies a promise/);
  });

  it.each([
    ['We cannot guarantee a response within 24 hours.', /not guaranteed/],
    ['Response times may vary, but we usually reply within 5 days.', /hedged/],
    ['Depending on the complexity, a fix takes 2 to 4 weeks.', /hedged/],
    ['Critical issues are acknowledged within 24 hours.', /severity/],
    ['We aim to fix vulnerabilities within 30 days.', /no fix timer/],
    ['We will respond within 3 months.', /months/],
    ['Within 24 hours.', /no promise named/],
    ['All security vulnerabilities will be promptly addressed.', /no time/],
  ])('%s -> unsure', (sentence, reason) => {
    const p = importPolicy(sentence);
    expect(p.project.timers).toBeUndefined();
    expect(why(sentence)).toMatch(reason);
  });

  it('a severity table goes to a person, row by row, and proposes nothing', () => {
    const md = ['| Severity | Acknowledge | Fix |', '|---|---|---|', '| Critical | 24 hours | 7 days |', '| Low | 5 days | 90 days |'].join('\n');
    const p = importPolicy(md);
    expect(p.project.timers).toBeUndefined();
    expect(p.unsure.length).toBeGreaterThanOrEqual(2);
  });

  it('two sentences that disagree keep the first and show the second to a person', () => {
    const p = importPolicy('We acknowledge reports within 24 hours.\n\nWe acknowledge reports within 48 hours.');
    expect(p.project.timers?.acknowledge).toEqual({ soft: '24h' });
    expect(p.unsure[0].why).toMatch(/48h .* 24h/);
  });
});

describe('other languages are reported as not read, never guessed', () => {
  it.each([
    'Wir bestätigen den Eingang Ihrer Meldung innerhalb von 48 Stunden.',
    'Nous accuserons réception de votre rapport dans les 48 heures.',
    'Confirmaremos la recepción de su informe dentro de 48 horas.',
    'Confermeremo la ricezione entro 48 ore.',
    '我们将在48小时内确认收到您的报告。',
    'Мы подтвердим получение отчёта в течение 48 часов.',
  ])('%s', (sentence) => {
    const p = importPolicy(`# Sicherheit\n\n${sentence}\n`);
    expect(p.project.timers).toBeUndefined();
    expect(p.unsure).toEqual([{ sentence, why: expect.stringContaining('not in English') }]);
  });

  it('a file with no English sentence still gives its address (an address is no language) and lists every promise as not made', () => {
    const p = importPolicy('Bitte melden Sie Sicherheitslücken an security@beispiel.de. Wir werden uns innerhalb von 2 Werktagen melden.');
    expect(p.project.addresses).toEqual(['security@beispiel.de']);
    expect(p.project.timers).toBeUndefined();
    expect(p.noPromise).toContain('timers.acknowledge.soft');
  });
});

describe('addresses', () => {
  it.each([
    ['Send reports to [our team](mailto:security@hashberg.io).', ['security@hashberg.io']],
    ['Email security at hashberg dot io.', ['security@hashberg.io']],
    ['Email security [at] hashberg [dot] co [dot] uk.', ['security@hashberg.co.uk']],
    ['Report it to psirt(at)example-corp(dot)org.', ['psirt@example-corp.org']],
    ['Email: <security@hashberg.io>', ['security@hashberg.io']],
  ])('%s', (md, addresses) => {
    expect(importPolicy(md).project.addresses).toEqual(addresses);
  });

  it('"reach us at hashberg dot io" is words or an address: a person reads it', () => {
    const p = importPolicy('To report a vulnerability, reach us at hashberg dot io.');
    expect(p.project.addresses).toBeUndefined();
    expect(p.unsure[0].why).toMatch(/obfuscated address, or words/);
  });

  it('a no-reply or unrelated address is not proposed as a security address', () => {
    const p = importPolicy('## Authors\n\nWritten by jane@hashberg.io.\n\nCommits come from noreply@github.com.');
    expect(p.project.addresses).toBeUndefined();
    expect(p.noPromise).toContain('addresses');
  });
});

describe('what the file does not promise', () => {
  it('a policy with no promise at all lists every field as no promise and proposes nothing', () => {
    const p = importPolicy('# Security\n\nPlease report security issues through GitHub private vulnerability reporting.\n');
    expect(p.project).toEqual({});
    expect(p.noPromise).toEqual([...PROMISE_PATHS]);
  });

  it('an empty file, a binary file, or markup alone proposes nothing', () => {
    for (const md of ['', '\u0000\u0001\u00ff'.repeat(1000), '<div><img src="x"></div>', '|||\n|-|\n||', '```\n24 hours\n```']) {
      expect(importPolicy(md).project).toEqual({});
    }
  });
});

describe('any text (fuzz)', () => {
  const FRAGMENTS = [
    'We will acknowledge your report within 48 - 72 business hours.',
    'Please do not ask more than once every 14 days.',
    'We send weekly updates.',
    'security at example dot org',
    '| Version | Supported |\n|---|---|\n| 1.x | :white_check_mark: |',
    '- item within 3 days',
    '# Heading',
    '![badge](https://img.shields.io/x)',
    '<p align="center">hi</p>',
    'Wir antworten innerhalb von 24 Stunden.',
    '\u001b]52;c;aGVsbG8=\u0007 weekly',
  ];
  it('never throws, and every proposed value is quoted from the text as rendered', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 60 })), { maxLength: 12 }), (parts) => {
        const md = parts.join(fc.sample(fc.constantFrom('\n', '\n\n', ' '), 1)[0]);
        const p = importPolicy(md);
        const plain = readBlocks(md).map((b) => b.text).join('\n');
        for (const quote of Object.values(p.evidence)) for (const part of quote.split(' / ')) expect(plain).toContain(part);
        for (const path of Object.keys(p.evidence)) expect(p.noPromise).not.toContain(path);
      }),
      { numRuns: 300 },
    );
  });

  it('proposes no timer from text with no time in it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }).map((s) => s.replace(/[0-9]/g, '')), (s) => {
        const t = importPolicy(s).project.timers;
        expect(t === undefined || /week|day|daily|fortnight|hour|one|two|three|a |an /i.test(s)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['80,000 times in one sentence', '1 day '.repeat(80_000)],
    ['a long paragraph introducing 40,000 list items', `${'Please include word '.repeat(5_000)}\n\n${'- item\n'.repeat(40_000)}`],
    ['20,000 table rows', `| Version | Supported |\n|---|---|\n${'| 1.x | yes |\n'.repeat(20_000)}`],
    ['20,000 mailto links', '[a](mailto:security@example.org) '.repeat(20_000)],
    ['20,000 headings', '# Supported versions\n'.repeat(20_000)],
  ])('survives %s', (_, md) => {
    const p = importPolicy(md);
    for (const u of p.unsure) expect(u.sentence.length).toBeLessThanOrEqual(1001);
  });

  it('a long hostile line reads in bounded time (no catastrophic backtracking)', () => {
    const md = `${'within 48 - '.repeat(20_000)}${'a'.repeat(50_000)} ${'[at] '.repeat(20_000)}${'|'.repeat(20_000)}`;
    const p = importPolicy(md);
    expect(p).toBeDefined();
  });
});
