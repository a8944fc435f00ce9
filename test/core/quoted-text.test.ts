import { trimQuoted } from '../../lambdas/core/quoted-text';
import { testTimeout } from '../support/timeouts';

describe('trimQuoted', () => {
  it('drops a Gmail-style attribution and the quoted history under it', () => {
    const text = [
      'Thanks, fixed in 1.4.2.',
      '',
      'On Tue, Mar 3, 2026 at 10:02 AM Jane Doe <jane@example.org> wrote:',
      '> Heap overflow in decode()',
      '>',
      '> Steps to reproduce...',
      '',
    ].join('\n');
    expect(trimQuoted(text)).toBe('Thanks, fixed in 1.4.2.');
  });

  it('recognises an attribution wrapped over two lines', () => {
    const text = 'Fixed.\n\nOn Tue, 3 Mar 2026 at 10:02, Jane Doe <\njane@example.org> wrote:\n> old\n';
    expect(trimQuoted(text)).toBe('Fixed.');
  });

  it.each([
    'Am 03.03.2026 um 10:02 schrieb Jane Doe <jane@example.org>:',
    'Le mar. 3 mars 2026 à 10:02, Jane Doe <jane@example.org> a écrit :',
    'El mar, 3 mar 2026 a las 10:02, Jane Doe (<jane@example.org>) escribió:',
    'Il giorno mar 3 mar 2026 alle ore 10:02 Jane Doe <jane@example.org> ha scritto:',
    'Op di 3 mrt 2026 om 10:02 schreef Jane Doe <jane@example.org>:',
    'Em ter., 3 de mar. de 2026 às 10:02, Jane Doe <jane@example.org> escreveu:',
    'W dniu 3.03.2026 o 10:02, Jane Doe pisze:',
    '03.03.2026 10:02, Jane Doe пишет:',
    'tis 3 mars 2026 kl 10:02 skrev Jane Doe <jane@example.org>:',
    '2026年3月3日(火) 10:02 Jane Doe <jane@example.org>:',
  ])('knows the attribution %j', (attribution) => {
    const text = `Merci.\n\n${attribution}\n> old text\n> more\n`;
    const trimmed = trimQuoted(text);
    // the last (Japanese, without a verb) is only stripped as trailing quotes: the attribution stays
    if (attribution.startsWith('2026年')) expect(trimmed).toBe(`Merci.\n\n${attribution}`);
    else expect(trimmed).toBe('Merci.');
  });

  it('keeps interleaved answers below an attribution', () => {
    const text = [
      'On Tue, Mar 3, 2026 at 10:02 AM Jane Doe <jane@example.org> wrote:',
      '> Which versions are affected?',
      '',
      'All from 1.2 on.',
      '',
      '> Is there a CVE?',
      '',
      'Requested.',
      '',
      '> Thanks',
    ].join('\n');
    expect(trimQuoted(text)).toBe(text.split('\n').slice(0, 8).join('\n'));
  });

  it('cuts at an Outlook original-message separator', () => {
    const text = 'We are on it.\r\n\r\n-----Original Message-----\r\nFrom: Jane\r\nSent: Tuesday\r\nSubject: bug\r\n\r\nold';
    expect(trimQuoted(text)).toBe('We are on it.');
  });

  it('cuts at an Outlook From:/Sent: header block, with or without the rule above it', () => {
    const block = 'From: Jane Doe <jane@example.org>\nSent: Tuesday, March 3, 2026 10:02 AM\nTo: security@bases.example\nSubject: bug\n\nold text';
    expect(trimQuoted(`Confirmed.\n\n________________________________\n${block}`)).toBe('Confirmed.');
    expect(trimQuoted(`Confirmed.\n\n${block}`)).toBe('Confirmed.');
    expect(trimQuoted(`Bestätigt.\n\nVon: Jane\nGesendet: Dienstag\nBetreff: x\n\nalt`)).toBe('Bestätigt.');
  });

  it('keeps a forwarded message (From:/Date: is content, not history)', () => {
    const text = 'See below.\n\n---------- Forwarded message ---------\nFrom: Bob <bob@example.org>\nDate: Tue, 3 Mar 2026\nSubject: PoC\n\nthe PoC';
    expect(trimQuoted(text)).toBe(text);
  });

  it('drops trailing quoted lines without an attribution', () => {
    expect(trimQuoted('Yes.\n\n> did you?\n> really?\n\n')).toBe('Yes.');
  });

  it('drops a trailing "-- " signature', () => {
    expect(trimQuoted('Fixed in 1.4.2.\n\n-- \nSam\nbases maintainer\n')).toBe('Fixed in 1.4.2.');
    expect(trimQuoted('Fixed.\n--\nSam')).toBe('Fixed.');
  });

  it('keeps a "--" line far from the end (not a signature)', () => {
    const text = ['a', '--', ...Array.from({ length: 20 }, (_, n) => `line ${n}`)].join('\n');
    expect(trimQuoted(text)).toBe(text);
  });

  it('does not take a sentence starting with "On" and ending in a colon for an attribution', () => {
    const text = 'On 2026-03-01 we saw this in the log:\n> GET /admin\n> 200';
    expect(trimQuoted(text)).toBe('On 2026-03-01 we saw this in the log:');
  });

  it('leaves text without history alone (apart from trailing blank lines)', () => {
    expect(trimQuoted('Hello\n\nworld\n\n')).toBe('Hello\n\nworld');
    expect(trimQuoted('')).toBe('');
  });

  // catastrophic backtracking would run for minutes: the generous jest timeout is the guard
  it('survives hostile input', () => {
    expect(trimQuoted(('1'.repeat(299) + '\n').repeat(5000)).length).toBeGreaterThan(0);
    expect(typeof trimQuoted(('On ' + '2026 '.repeat(59) + '\n').repeat(5000))).toBe('string');
    expect(trimQuoted('> x\n'.repeat(100_000)).trim()).toBe('');
  }, testTimeout(120_000));
});
