import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClockMovedBackwards, LocalClock } from '../../lambdas/local/local-clock';

test('an advanced clock is shared through clock.json and keeps running with real time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clock-'));
  try {
    let real = Date.parse('2027-01-01T00:00:00Z');
    const server = new LocalClock({ dataDir: dir, realNow: () => real });
    const cli = new LocalClock({ dataDir: dir, realNow: () => real });
    cli.advance(72 * 3600_000);
    expect(server.now().toISOString()).toBe('2027-01-04T00:00:00.000Z');
    real += 60_000;
    expect(server.now().toISOString()).toBe('2027-01-04T00:01:00.000Z');
    expect(() => cli.advance(-1)).toThrow(ClockMovedBackwards);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a frozen clock moves only when told, and tells its listeners', () => {
  const clock = new LocalClock({ frozenAt: new Date('2027-01-01T00:00:00Z') });
  const moves: string[] = [];
  clock.onChange(() => moves.push(clock.now().toISOString()));
  expect(clock.now().toISOString()).toBe('2027-01-01T00:00:00.000Z');
  clock.advance(3600_000);
  clock.set(new Date('2027-01-02T00:00:00Z'));
  expect(moves).toEqual(['2027-01-01T01:00:00.000Z', '2027-01-02T00:00:00.000Z']);
  expect(() => clock.set(new Date('2026-12-31T00:00:00Z'))).toThrow(
    'the local clock only moves forward: 2026-12-31T00:00:00.000Z is before 2027-01-02T00:00:00.000Z',
  );
});
