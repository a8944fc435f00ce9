import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import nodemailer from 'nodemailer';
import { configSchema, type Config } from '../../../lambdas/core/config';
import type { InboundFacts, InboundRecord } from '../../../lambdas/core/report';
import { FsRawStore } from '../../../lambdas/adapters/local/fs-raw-store';
import { LocalMailAuth } from '../../../lambdas/adapters/local/mail-auth';
import { startSmtpInbound, type SmtpInbound } from '../../../lambdas/adapters/local/smtp-inbound';
import { silentLogger } from '../../../lambdas/ports/logger';

const config: Config = configSchema.parse({
  messageIdDomain: 'intake.hashberg.io',
  limits: { maxMessageBytes: 20_000 },
  projects: [
    {
      id: 'bases',
      name: 'bases',
      addresses: ['security@hashberg.io'],
      maintainers: [{ address: 'sam@hashberg.io' }],
      calendar: { timeZone: 'Europe/Rome' },
      timers: { acknowledge: { soft: '24h' } },
    },
  ],
});

const message = (from: string, body = 'Heap overflow in decode().') =>
  [`From: ${from}`, 'To: security@hashberg.io', 'Subject: bug', 'Message-ID: <m1@example.org>', '', body, ''].join('\r\n');

describe('local SMTP inbound (plays SES)', () => {
  let dir: string;
  let raw: FsRawStore;
  let inbound: SmtpInbound;
  let seen: Array<{ facts: InboundFacts; storedFirst: string }>;
  let failed: InboundRecord[];
  let failNext: boolean;
  let dkimKey: string;

  beforeAll(async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    dkimKey = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    dir = await mkdtemp(join(tmpdir(), 'smtp-inbound-'));
    raw = new FsRawStore(join(dir, 'raw'));
    const auth = new LocalMailAuth({
      dns: { TXT: { 'sel._domainkey.hashberg.io': [`v=DKIM1; k=rsa; p=${p}`], '_dmarc.hashberg.io': ['v=DMARC1; p=reject'] } },
    });
    inbound = await startSmtpInbound({
      config,
      raw,
      store: { putInbound: async (r) => void failed.push(r) },
      clock: { now: () => new Date('2027-03-12T21:02:00Z') },
      auth,
      log: silentLogger,
      onMessage: async (facts) => {
        // the raw must already be stored when intake runs
        seen.push({ facts, storedFirst: (await readFile(join(dir, 'raw', facts.rawKey), 'utf8')).slice(0, 40) });
        if (failNext) throw new Error('parser exploded');
      },
    });
  });
  beforeEach(() => {
    seen = [];
    failed = [];
    failNext = false;
  });
  afterAll(async () => {
    await inbound.close();
    await rm(dir, { recursive: true, force: true });
  });

  const transport = (dkim?: { domainName: string; keySelector: string; privateKey: string }) =>
    nodemailer.createTransport({ host: '127.0.0.1', port: inbound.port, secure: false, ignoreTLS: true, dkim });

  it('accepts mail for a security address, stores it first, and hands SES-like facts to intake', async () => {
    const info = await transport().sendMail({
      envelope: { from: 'reporter@example.org', to: ['Security@Hashberg.io'] },
      raw: message('reporter@example.org'),
    });
    expect(info.response).toMatch(/^250 /);
    expect(seen).toHaveLength(1);
    const { facts, storedFirst } = seen[0];
    expect(storedFirst).toContain('From: reporter@example.org');
    expect(facts.sesMessageId).toMatch(/^[a-z0-9]{20,}$/);
    expect(facts.rawKey).toBe(`inbound/${facts.sesMessageId}`);
    expect(facts.recipients).toEqual(['security@hashberg.io']);
    expect(facts.mailFrom).toBe('reporter@example.org');
    expect(facts.verdicts).toMatchObject({ dkim: 'GRAY', dmarc: 'GRAY', spam: 'UNKNOWN', virus: 'UNKNOWN' });
    expect(info.response).toContain(facts.sesMessageId);
  });

  it('gives every message a new random ID', async () => {
    const t = transport();
    for (let i = 0; i < 3; i++) await t.sendMail({ envelope: { from: 'a@example.org', to: ['security@hashberg.io'] }, raw: message('a@example.org') });
    const ids = seen.map((s) => s.facts.sesMessageId);
    expect(new Set(ids).size).toBe(3);
    // random, not a counter: no two share a prefix
    expect(new Set(ids.map((id) => id.slice(0, 8))).size).toBe(3);
  });

  it('accepts reply addresses (+tag) and refuses anyone else with 550', async () => {
    await transport().sendMail({ envelope: { from: 'a@example.org', to: ['security+k7qm2xpd.abcdefghij@hashberg.io'] }, raw: message('a@example.org') });
    expect(seen[0].facts.recipients).toEqual(['security+k7qm2xpd.abcdefghij@hashberg.io']);
    await expect(
      transport().sendMail({ envelope: { from: 'a@example.org', to: ['postmaster@hashberg.io'] }, raw: message('a@example.org') }),
    ).rejects.toMatchObject({ responseCode: 550 });
    expect(seen).toHaveLength(1);
  });

  it('refuses a message over limits.maxMessageBytes with 552 and keeps nothing', async () => {
    await expect(
      transport().sendMail({
        envelope: { from: 'a@example.org', to: ['security@hashberg.io'] },
        raw: message('a@example.org', 'x'.repeat(30_000)),
      }),
    ).rejects.toMatchObject({ responseCode: 552 });
    expect(seen).toHaveLength(0);
    const keys: string[] = [];
    for await (const k of raw.list('inbound/')) keys.push(k);
    for (const k of keys) expect((await readFile(join(dir, 'raw', k))).length).toBeLessThan(20_000);
  });

  it('answers 250 when intake throws, after recording the failure for replay', async () => {
    failNext = true;
    const info = await transport().sendMail({ envelope: { from: 'a@example.org', to: ['security@hashberg.io'] }, raw: message('a@example.org') });
    expect(info.response).toMatch(/^250 /);
    expect(failed).toEqual([
      expect.objectContaining({ sesMessageId: seen[0].facts.sesMessageId, state: 'failed', rawKey: seen[0].facts.rawKey, reason: expect.stringContaining('parser exploded') }),
    ]);
  });

  it('verifies DKIM and DMARC offline from the DNS records file', async () => {
    await transport({ domainName: 'hashberg.io', keySelector: 'sel', privateKey: dkimKey }).sendMail({
      envelope: { from: 'sam@hashberg.io', to: ['security@hashberg.io'] },
      raw: message('Sam <sam@hashberg.io>'),
    });
    expect(seen[0].facts.verdicts).toMatchObject({ dkim: 'PASS', dmarc: 'PASS', evaluatedFrom: ['sam@hashberg.io'] });
  });

  it('fails DMARC for an unsigned message claiming a domain with p=reject', async () => {
    await transport().sendMail({ envelope: { from: 'sam@hashberg.io', to: ['security@hashberg.io'] }, raw: message('sam@hashberg.io') });
    expect(seen[0].facts.verdicts).toMatchObject({ dkim: 'GRAY', dmarc: 'FAIL', evaluatedFrom: ['sam@hashberg.io'] });
  });
});

describe('trustLocalSenders', () => {
  it('treats unsigned local mail as DMARC PASS only when switched on', async () => {
    const body = Buffer.from(message('sam@hashberg.io'));
    const session = { mailFrom: 'sam@hashberg.io', clientIp: '127.0.0.1' };
    expect((await new LocalMailAuth().verdicts(body, session)).dmarc).not.toBe('PASS');
    expect((await new LocalMailAuth({ trustLocalSenders: true }).verdicts(body, session)).dmarc).toBe('PASS');
  });
});
