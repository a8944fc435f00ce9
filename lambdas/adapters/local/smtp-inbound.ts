/**
 * SES inbound, played on this machine: an SMTP server on 127.0.0.1 that accepts mail for the configured
 * security addresses (and their `+tag` reply addresses), stores the raw bytes first, then hands the message to
 * intake, the way SES's S3 action and Lambda action do.
 *
 * 1. RCPT: only our addresses (550 for anything else: we are not a relay)
 * 2. DATA: stream the bytes into the raw store at `inbound/<id>` (nothing parses before they are stored);
 *    over config.limits.maxMessageBytes -> 552 and nothing is kept
 * 3. verdicts (SPF/DKIM/DMARC from the stored copy, offline)
 * 4. onMessage(facts) (the stack passes receiveMail); if it throws, an InboundRecord 'failed' is written so
 *    `secintake replay <id>` can re-run it
 * 5. 250 only now: the message is processed, or safely stored with its failure recorded
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Config } from '../../core/config';
import type { InboundFacts, InboundRecord } from '../../core/report';
import { baseAddress } from '../../core/reply-address';
import type { Clock } from '../../ports/clock';
import type { Logger } from '../../ports/logger';
import type { RawMailStore } from '../../ports/raw-mail-store';
import type { ReportStore } from '../../ports/report-store';
import { INBOUND_PREFIX } from '../aws/ses-inbound-event';
import type { LocalMailAuth } from './mail-auth';

export interface SmtpInboundOptions {
  /** 0 (default): a free port. */
  port?: number;
  config: Config;
  raw: RawMailStore;
  store: Pick<ReportStore, 'putInbound'>;
  clock: Clock;
  auth: Pick<LocalMailAuth, 'verdicts'>;
  onMessage: (facts: InboundFacts) => Promise<unknown>;
  log: Logger;
}

export interface SmtpInbound {
  port: number;
  close(): Promise<void>;
}

/**
 * A failure record that keeps the facts only SMTP knew (envelope recipients, verdicts, MAIL FROM), so a local
 * `replay` re-runs intake exactly as it first ran. On AWS the failure queue keeps the SES event instead.
 */
export type ReplayableInboundRecord = InboundRecord & { facts?: InboundFacts };

import { PortInUse } from './port-in-use';

export { PortInUse };

/**
 * An SES-like message ID: 32 random lowercase hex characters. Random, never sequential: it names the raw object
 * and the idempotency record, and a guessable ID would let one message be confused with another.
 */
export function newSesMessageId(): string {
  return randomBytes(16).toString('hex');
}

/** Base addresses (lower case, no `+tag`) we receive mail for. */
export function securityAddresses(config: Config): Set<string> {
  return new Set(config.projects.flatMap((p) => p.addresses.map(baseAddress)));
}

type SmtpError = Error & { responseCode?: number };
const smtpError = (code: number, message: string): SmtpError => Object.assign(new Error(message), { responseCode: code });

/** Passes at most `max` bytes; past that it keeps reading (the client is still sending) but fails at the end. */
class SizeLimit extends Transform {
  private bytes = 0;
  constructor(private readonly max: number) {
    super();
  }
  get exceeded(): boolean {
    return this.bytes > this.max;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.exceeded) return done();
    done(null, chunk);
  }
  override _flush(done: TransformCallback): void {
    done(this.exceeded ? smtpError(552, `message exceeds fixed maximum message size ${this.max}`) : null);
  }
}

export async function startSmtpInbound(opts: SmtpInboundOptions): Promise<SmtpInbound> {
  const accepted = securityAddresses(opts.config);
  const max = opts.config.limits.maxMessageBytes;
  const server = new SMTPServer({
    name: 'localhost',
    banner: 'security-intake local inbound (plays SES)',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: max,
    logger: false,
    // close() waits this long for open connections before cutting them
    closeTimeout: 1000,
    onRcptTo(address, _session, callback) {
      if (accepted.has(baseAddress(address.address))) return callback();
      callback(smtpError(550, `5.1.1 <${address.address}>: no such security address here (we are not a relay)`));
    },
    onData(stream, session, callback) {
      receive(opts, stream, session, max).then(
        (id) => callback(null, `Ok: queued as ${id}`),
        (err: SmtpError) => callback(err),
      );
    },
  });
  server.on('error', (err) => opts.log.error('smtp server error', { error: err.message }));

  const port = await new Promise<number>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUse(opts.port ?? 0, 'SMTP') : err);
    server.server.once('error', onError);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.server.off('error', onError);
      resolve((server.server.address() as AddressInfo).port);
    });
  });

  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function receive(
  opts: SmtpInboundOptions,
  stream: SMTPServerDataStream,
  session: SMTPServerSession,
  max: number,
): Promise<string> {
  const sesMessageId = newSesMessageId();
  const rawKey = `${INBOUND_PREFIX}${sesMessageId}`;
  const limit = new SizeLimit(max);
  stream.on('error', (err) => limit.destroy(err));
  // The raw store's pipeline reports the error; this keeps a late one (after the store gave up) from crashing us.
  limit.on('error', () => undefined);
  try {
    await opts.raw.put(rawKey, stream.pipe(limit));
  } catch (err) {
    // make sure the client's remaining bytes are read, or the connection stalls
    stream.resume();
    if (limit.exceeded || stream.sizeExceeded) throw smtpError(552, `5.3.4 message exceeds fixed maximum message size ${max}`);
    opts.log.error('could not store inbound message', { sesMessageId, error: (err as Error).message });
    throw smtpError(451, '4.3.0 could not store the message; try again later');
  }
  if (stream.sizeExceeded) throw smtpError(552, `5.3.4 message exceeds fixed maximum message size ${max}`);

  const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const receivedAt = opts.clock.now().toISOString();
  let facts: InboundFacts | undefined;
  try {
    const verdicts = await opts.auth.verdicts(await opts.raw.get(rawKey), {
      mailFrom,
      clientIp: session.remoteAddress,
      helo: session.hostNameAppearsAs || undefined,
    });
    facts = {
      sesMessageId,
      recipients: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
      verdicts,
      receivedAt,
      rawKey,
      mailFrom,
    };
    await opts.onMessage(facts);
  } catch (err) {
    await recordFailure(opts, sesMessageId, rawKey, err as Error, facts);
  }
  return sesMessageId;
}

/** The raw is stored; a durable failure record makes it replayable. Without that record, ask the client to retry. */
async function recordFailure(
  opts: SmtpInboundOptions,
  sesMessageId: string,
  rawKey: string,
  err: Error,
  facts: InboundFacts | undefined,
): Promise<void> {
  const reason = `${err.name}: ${err.message}`;
  opts.log.error('intake failed; stored for replay', { sesMessageId, error: reason });
  try {
    const record: ReplayableInboundRecord = { sesMessageId, state: 'failed', reason, rawKey, at: opts.clock.now().toISOString(), attempts: 1, facts };
    await opts.store.putInbound(record);
  } catch (recordErr) {
    opts.log.error('could not record the intake failure', { sesMessageId, error: (recordErr as Error).message });
    throw smtpError(451, '4.3.0 the message could not be processed; try again later');
  }
}

