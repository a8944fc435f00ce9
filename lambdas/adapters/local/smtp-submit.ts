/**
 * `secintake send`: delivers a file over SMTP to the local stack, the way a mail client or an MTA would, so
 * it takes the same path as real mail (RCPT checks, size limit, raw stored first, verdicts).
 */
import nodemailer from 'nodemailer';

export class SmtpRefused extends Error {
  override readonly name = 'SmtpRefused';
  constructor(readonly responseCode: number | undefined, response: string) {
    super(`the local SMTP server refused the message: ${response}`);
  }
}

export async function submitOverSmtp(opts: { port: number; from: string; to: string[]; raw: Buffer }): Promise<string> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: opts.port, secure: false, ignoreTLS: true });
  try {
    const info = await transport.sendMail({ envelope: { from: opts.from, to: opts.to }, raw: opts.raw });
    return String(info.response);
  } catch (err) {
    const e = err as Error & { responseCode?: number; response?: string; code?: string };
    if (e.code === 'ESOCKET' || e.code === 'ECONNECTION') throw new SmtpRefused(undefined, `cannot connect to 127.0.0.1:${opts.port} (${e.message})`);
    throw new SmtpRefused(e.responseCode, e.response ?? e.message);
  } finally {
    transport.close();
  }
}
