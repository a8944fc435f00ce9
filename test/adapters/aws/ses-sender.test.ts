/**
 * SesSender against a minimal stand-in of the SES v1 query API on 127.0.0.1 (aws-ses-v2-local is not
 * installed here): the unchanged SDK client, form-encoded Action=SendRawEmail, an XML answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESClient } from '@aws-sdk/client-ses';
import { MailRejected, SesSender, SES_MAX_MESSAGE_BYTES } from '../../../lambdas/adapters/aws/ses-sender';

interface Received {
  params: URLSearchParams;
}

function sesStandIn(): Promise<{ server: Server; url: string; received: Received[]; rejectNext: { value: boolean } }> {
  const received: Received[] = [];
  const rejectNext = { value: false };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      received.push({ params });
      res.setHeader('content-type', 'text/xml');
      if (rejectNext.value) {
        rejectNext.value = false;
        res.statusCode = 400;
        res.end(
          '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type>' +
            '<Code>MessageRejected</Code><Message>Email address is not verified.</Message></Error>' +
            '<RequestId>r-2</RequestId></ErrorResponse>',
        );
        return;
      }
      res.end(
        '<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendRawEmailResult>' +
          `<MessageId>0100-ses-${received.length}</MessageId></SendRawEmailResult>` +
          '<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></SendRawEmailResponse>',
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}`, received, rejectNext });
    }),
  );
}

describe('SesSender', () => {
  let stand: Awaited<ReturnType<typeof sesStandIn>>;
  let client: SESClient;
  beforeAll(async () => {
    stand = await sesStandIn();
    client = new SESClient({
      region: 'us-east-1',
      endpoint: stand.url,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => stand.server.close(resolve));
  });

  const raw = Buffer.from('From: security@bases.example\r\nTo: jane@reporter.example\r\nSubject: hi\r\n\r\nbody\r\n');

  it('sends the raw bytes with Source, Destinations and the configuration set, and returns the MessageId', async () => {
    const sender = new SesSender({ client, configurationSetName: 'intake-events' });
    const result = await sender.send(raw, { from: 'security@bases.example', to: ['jane@reporter.example', 'b@x.example'] }, 'receipt');

    expect(result.providerId).toBe(`0100-ses-${stand.received.length}`);
    const params = stand.received[stand.received.length - 1].params;
    expect(params.get('Action')).toBe('SendRawEmail');
    expect(params.get('Source')).toBe('security@bases.example');
    expect(params.get('Destinations.member.1')).toBe('jane@reporter.example');
    expect(params.get('Destinations.member.2')).toBe('b@x.example');
    expect(params.get('ConfigurationSetName')).toBe('intake-events');
    expect(Buffer.from(params.get('RawMessage.Data')!, 'base64').equals(raw)).toBe(true);
  });

  it('leaves the configuration set out when none is configured', async () => {
    await new SesSender({ client }).send(raw, { from: 'security@bases.example', to: ['jane@reporter.example'] }, 'x');
    expect(stand.received[stand.received.length - 1].params.has('ConfigurationSetName')).toBe(false);
  });

  it('turns an SES rejection into MailRejected naming the outbox item', async () => {
    stand.rejectNext.value = true;
    const sending = new SesSender({ client }).send(raw, { from: 'security@bases.example', to: ['jane@reporter.example'] }, 'relay:abc');
    await expect(sending).rejects.toBeInstanceOf(MailRejected);
    await expect(sending).rejects.toThrow(/relay:abc.*not verified/);
  });

  it('refuses a message over the SES 10 MB limit without calling SES', async () => {
    const before = stand.received.length;
    const big = Buffer.alloc(SES_MAX_MESSAGE_BYTES + 1, 0x61);
    await expect(
      new SesSender({ client }).send(big, { from: 'security@bases.example', to: ['jane@reporter.example'] }, 'relay:big'),
    ).rejects.toBeInstanceOf(MailRejected);
    expect(stand.received.length).toBe(before);
  });
});
