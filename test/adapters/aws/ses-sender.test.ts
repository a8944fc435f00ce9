/**
 * SesSender with the real @aws-sdk/client-ses against aws-ses-v2-local, in-process on 127.0.0.1 (see
 * test/support/ses-local.ts): what SES stored, and the request fields it received.
 *
 * One case cannot run there: aws-ses-v2-local never answers with an SES error (it only has a JSON 400 for a
 * malformed request, which the SDK cannot read as MessageRejected). So the rejection mapping runs against a
 * tiny stand-in that answers with SES's own XML error body.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESClient } from '@aws-sdk/client-ses';
import { MailRejected, SesSender, SES_MAX_MESSAGE_BYTES, SES_MAX_RECIPIENTS } from '../../../lambdas/adapters/aws/ses-sender';
import { startSesLocal, type SesLocal } from '../../support/ses-local';
import { headerList } from '../../support/raw-headers';

const sesClient = (endpoint: string) =>
  new SESClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });

const FROM = 'security@bases.example';
const JANE = 'jane@reporter.example';

/** RFC 2047 B-encoded word: how a header value carrying any bytes, line breaks included, travels. */
const encodedWord = (text: string) => `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;

function rawMail(subjectHeader: string, body = 'We received your report.\r\n'): Buffer {
  return Buffer.from(
    `From: "bases security" <${FROM}>\r\n` +
      `To: ${JANE}\r\n` +
      `Reply-To: report+r-17@bases.example\r\n` +
      `Subject: ${subjectHeader}\r\n` +
      'Message-ID: <receipt-17@bases.example>\r\n' +
      'X-Security-Intake: BASES-2026-17\r\n' +
      'MIME-Version: 1.0\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      'Content-Transfer-Encoding: 8bit\r\n' +
      '\r\n' +
      body,
  );
}

describe('SesSender against aws-ses-v2-local', () => {
  let ses: SesLocal;
  let client: SESClient;
  beforeAll(async () => {
    ses = await startSesLocal();
    client = sesClient(ses.endpoint);
  });
  afterAll(async () => {
    client.destroy();
    await ses.stop();
  });
  const lastRequest = () => ses.requests[ses.requests.length - 1];

  it('delivers our From, To, subject and body, and returns the MessageId SES stored it under', async () => {
    const raw = rawMail(`${encodedWord('Réception: [BASES-2026-17] XSS in the login form')}`, 'Grüße, we received your report.\r\n');

    const { providerId } = await new SesSender({ client }).send(raw, { from: FROM, to: [JANE] }, 'receipt:17');

    const stored = ses.stored(providerId);
    expect(stored).toBeDefined();
    expect(stored?.from).toBe(`"bases security" <${FROM}>`);
    expect(stored?.destination).toEqual({ to: [JANE], cc: [], bcc: [] });
    expect(stored?.replyTo).toEqual(['report+r-17@bases.example']);
    expect(stored?.subject).toBe('Réception: [BASES-2026-17] XSS in the login form');
    expect(stored?.body.text).toBe('Grüße, we received your report.\n');
  });

  it('hands SES the exact bytes, with Source and Destinations from the envelope (never from headers)', async () => {
    const raw = rawMail('hi');
    await new SesSender({ client }).send(raw, { from: FROM, to: [JANE, 'maintainer@bases.example'] }, 'relay:1');

    const request = lastRequest();
    expect(request.Action).toBe('SendRawEmail');
    expect(Buffer.from(request['RawMessage.Data'], 'base64').equals(raw)).toBe(true);
    expect(request.Source).toBe(FROM);
    expect(request['Destinations.member.1']).toBe(JANE);
    expect(request['Destinations.member.2']).toBe('maintainer@bases.example');
    expect(request['Destinations.member.3']).toBeUndefined();
  });

  it('keeps a header-injection attempt inside one Subject header: SES sees no Bcc', async () => {
    const attack = 'Report received\r\nBcc: attacker@evil.example';
    const raw = rawMail(encodedWord(attack));

    const { providerId } = await new SesSender({ client }).send(raw, { from: FROM, to: [JANE] }, 'receipt:inject');

    const sent = Buffer.from(lastRequest()['RawMessage.Data'], 'base64');
    const names = headerList(sent).map(([name]) => name);
    expect(names.filter((n) => n === 'subject')).toHaveLength(1);
    expect(names).not.toContain('bcc');
    const stored = ses.stored(providerId);
    expect(stored?.destination).toEqual({ to: [JANE], cc: [], bcc: [] });
    expect(stored?.subject).toContain('Bcc: attacker@evil.example'); // text of the subject, not a header
    expect(lastRequest()['Destinations.member.2']).toBeUndefined();
  });

  it('keeps a long folded Subject as one subject', async () => {
    const long = 'Report received '.repeat(8).trim();
    const at = long.lastIndexOf(' ', 60);
    const folded = `${long.slice(0, at)}\r\n${long.slice(at)}`; // RFC 5322 2.2.3: CRLF before a space
    const { providerId } = await new SesSender({ client }).send(rawMail(folded), { from: FROM, to: [JANE] }, 'receipt:fold');
    expect(ses.stored(providerId)?.subject).toBe(long);
  });

  it('passes the configuration set when one is configured, and leaves it out otherwise', async () => {
    await new SesSender({ client, configurationSetName: 'intake-events' }).send(rawMail('a'), { from: FROM, to: [JANE] }, 'a');
    expect(lastRequest().ConfigurationSetName).toBe('intake-events');

    await new SesSender({ client }).send(rawMail('b'), { from: FROM, to: [JANE] }, 'b');
    expect(lastRequest()).not.toHaveProperty('ConfigurationSetName');
  });

  it('sends a message of exactly 10 MB, and refuses one byte more without calling SES', async () => {
    const head = rawMail('big', '');
    const atLimit = Buffer.concat([head, Buffer.alloc(SES_MAX_MESSAGE_BYTES - head.length, 'a')]);
    const { providerId } = await new SesSender({ client }).send(atLimit, { from: FROM, to: [JANE] }, 'relay:limit');
    expect(ses.stored(providerId)?.subject).toBe('big');

    const before = ses.requests.length;
    const over = Buffer.concat([atLimit, Buffer.from('a')]);
    const sending = new SesSender({ client }).send(over, { from: FROM, to: [JANE] }, 'relay:big');
    await expect(sending).rejects.toBeInstanceOf(MailRejected);
    await expect(sending).rejects.toThrow(/relay:big.*over the SES limit/);
    expect(ses.requests.length).toBe(before);
  });

  it('sends to 50 recipients, and refuses 51 or none without calling SES', async () => {
    const fifty = Array.from({ length: SES_MAX_RECIPIENTS }, (_, i) => `m${i + 1}@bases.example`);
    await new SesSender({ client }).send(rawMail('all'), { from: FROM, to: fifty }, 'relay:50');
    expect(lastRequest()[`Destinations.member.${SES_MAX_RECIPIENTS}`]).toBe('m50@bases.example');

    const before = ses.requests.length;
    const sender = new SesSender({ client });
    await expect(sender.send(rawMail('x'), { from: FROM, to: [...fifty, 'one-more@bases.example'] }, 'relay:51')).rejects.toThrow(
      /relay:51.*51 recipients/,
    );
    await expect(sender.send(rawMail('x'), { from: FROM, to: [] }, 'relay:0')).rejects.toBeInstanceOf(MailRejected);
    expect(ses.requests.length).toBe(before);
  });
});

/** Answers every SendRawEmail with one SES XML error (the body real SES sends for a 400). */
function sesErrorStandIn(code: string, message: string): Promise<{ server: Server; endpoint: string }> {
  const server = createServer((req, res) => {
    req.resume().on('end', () => {
      res.writeHead(400, { 'content-type': 'text/xml' }).end(
        `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>${code}</Code>` +
          `<Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

describe('SesSender when SES answers with an error (stand-in: aws-ses-v2-local has no SES errors)', () => {
  async function sendAgainst(code: string, message: string) {
    const stand = await sesErrorStandIn(code, message);
    const client = sesClient(stand.endpoint);
    try {
      return await new SesSender({ client }).send(rawMail('hi'), { from: FROM, to: [JANE] }, 'relay:abc').then(
        () => undefined,
        (err: unknown) => err,
      );
    } finally {
      client.destroy();
      stand.server.closeAllConnections();
      await new Promise((resolve) => stand.server.close(resolve));
    }
  }

  it('turns MessageRejected into MailRejected naming the outbox item and SES reason', async () => {
    const err = await sendAgainst('MessageRejected', 'Email address is not verified.');
    expect(err).toBeInstanceOf(MailRejected);
    expect((err as Error).message).toMatch(/relay:abc.*not verified/);
  });

  it('lets a throttling error through unchanged, so the caller retries', async () => {
    const err = await sendAgainst('Throttling', 'Maximum sending rate exceeded.');
    expect(err).not.toBeInstanceOf(MailRejected);
    expect((err as Error).name).toBe('Throttling');
  });
});
