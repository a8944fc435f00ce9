/**
 * Local MailSender: every outbound message becomes `<folder>/<NNNNNN>-<outboxId>.eml` (a sequence number, so
 * `secintake outbox show N` can name one), written to a temporary file and hard-linked into place so a reader
 * never sees half a file; numbers come from an in-process counter read from the folder once, and the link never
 * overwrites. Optionally it also relays the message over SMTP to a host the user names (a mail catcher, or a
 * smarthost).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { MAX_OUTBOUND_MESSAGE_BYTES, MailRejected, type MailSender, type OutboundEnvelope } from '../../ports/mail-sender';
import { FILE_PATTERN, listOutboxFolder } from './outbox-folder-list';

export { decodeWords, listOutboxFolder, type OutboxEntry } from './outbox-folder-list';

export interface SmtpRelay {
  host: string;
  port: number;
  /** Implicit TLS (port 465). Plain SMTP otherwise; STARTTLS is used when the server offers it. */
  secure?: boolean;
}

export interface OutboxFolderSenderOptions {
  folder: string;
  relay?: SmtpRelay;
  /** Default: SES's 10 MB. */
  maxMessageBytes?: number;
}

/** The relay refused or could not be reached: nothing was written, the outbox retry sends again. */
export class RelayFailed extends Error {
  override readonly name = 'RelayFailed';
  constructor(readonly relay: SmtpRelay, detail: string) {
    super(`could not relay outbound mail to ${relay.host}:${relay.port}: ${detail}`);
  }
}


/** Outbox IDs carry `:` and `%` (`acknowledge:remind:50%`): keep file names portable. */
function fileSafe(outboxId: string): string {
  return outboxId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
}

async function highestNumber(folder: string): Promise<number> {
  const names = await fs.readdir(folder).catch(() => [] as string[]);
  return names.reduce((max, name) => Math.max(max, Number(FILE_PATTERN.exec(name)?.[1] ?? 0)), 0);
}

export class OutboxFolderSender implements MailSender {
  /** The next file number, read from the folder once: one process owns a data folder (dynalite's lock). */
  private next: Promise<{ n: number }> | undefined;

  constructor(private readonly options: OutboxFolderSenderOptions) {}

  async send(raw: Buffer, envelope: OutboundEnvelope, outboxId: string): Promise<{ providerId: string }> {
    // the same limit as SES, so what cannot be sent on AWS is not quietly written here
    const max = this.options.maxMessageBytes ?? MAX_OUTBOUND_MESSAGE_BYTES;
    if (raw.length > max) throw new MailRejected(outboxId, `${raw.length} bytes is over the sending limit of ${max} bytes`);
    // relay first: if it fails nothing is written and the caller's retry repeats both
    if (this.options.relay) await this.relay(raw, envelope, this.options.relay);
    const file = await this.write(raw, outboxId);
    return { providerId: `outbox:${file}` };
  }

  private async write(raw: Buffer, outboxId: string): Promise<string> {
    const { folder } = this.options;
    await fs.mkdir(folder, { recursive: true });
    this.next ??= highestNumber(folder).then((h) => ({ n: h + 1 }));
    const counter = await this.next;
    const temp = path.join(folder, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    await fs.writeFile(temp, raw, { mode: 0o600 });
    try {
      // Numbers are taken in process order (no await between reading and bumping the counter); the link is
      // exclusive, so a name already there (another writer) is never overwritten: take the next number.
      for (;;) {
        const number = String(counter.n++).padStart(6, '0');
        const file = `${number}-${fileSafe(outboxId)}.eml`;
        try {
          await fs.link(temp, path.join(folder, file));
          return file;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
      }
    } finally {
      await fs.rm(temp, { force: true });
    }
  }

  /**
   * Rewrites each `.eml` stamped with `reportId` (X-Security-Intake): the header block as it was written (From,
   * To, Subject, Date, Message-ID, threading, our stamps), minus the fields that described the old body, then a
   * plain-text body saying it was redacted. The file keeps its name and number (`outbox show N` still finds it);
   * written to a temporary file and renamed over, so a reader never sees half of it. A copy already redacted is
   * left alone. Copies relayed over SMTP are beyond reach, as SES's are.
   */
  async redactCopies(reportId: string, at: Date, note: string): Promise<number> {
    const { folder } = this.options;
    let changed = 0;
    for (const entry of await listOutboxFolder(folder)) {
      if (entry.reportId !== reportId || !FILE_PATTERN.test(entry.file) || path.basename(entry.file) !== entry.file) continue;
      const file = path.join(folder, entry.file);
      const raw = await fs.readFile(file);
      const text = raw.toString('latin1');
      const end = text.search(/\r?\n\r?\n/);
      const head = end >= 0 ? text.slice(0, end) : text;
      const fields = head.split(/\r?\n(?![ \t])/);
      if (fields.some((f) => /^X-Security-Intake-Redacted:/i.test(f))) continue;
      const kept = fields.filter((f) => !/^(Content-[A-Za-z-]+|MIME-Version):/i.test(f));
      const body = note.replace(/[^\x20-\x7e\n]/g, '?').replace(/\r?\n/g, '\r\n');
      const redacted = [...kept, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=us-ascii', 'Content-Transfer-Encoding: 7bit', `X-Security-Intake-Redacted: ${at.toUTCString()}`, '', body, ''].join('\r\n');
      const temp = path.join(folder, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
      await fs.writeFile(temp, Buffer.from(redacted, 'latin1'), { mode: 0o600 });
      await fs.rename(temp, file);
      changed++;
    }
    return changed;
  }

  private async relay(raw: Buffer, envelope: OutboundEnvelope, relay: SmtpRelay): Promise<void> {
    const transport = nodemailer.createTransport({ host: relay.host, port: relay.port, secure: relay.secure ?? false });
    try {
      await transport.sendMail({ envelope: { from: envelope.from, to: envelope.to }, raw });
    } catch (err) {
      const e = err as Error & { response?: string };
      throw new RelayFailed(relay, e.response ?? e.message);
    } finally {
      transport.close();
    }
  }
}
