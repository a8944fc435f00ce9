/**
 * aws-ses-v2-local run in-process on a random 127.0.0.1 port: the SES v1 query API (SendRawEmail) that the
 * unchanged @aws-sdk/client-ses reaches through an endpoint override. It parses each raw message with
 * mailparser and keeps the result (From, To, Cc, Bcc, subject, bodies, attachments) in its store.
 *
 * What it does not keep: the request fields (ConfigurationSetName, Destinations) and the raw bytes. So we also
 * record, after each answer, the form fields its own body parser decoded (`req.body`): what SES received,
 * seen at the server, without touching the request stream.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import startSesServer from 'aws-ses-v2-local';
import { getStoreReadonly, type Email } from 'aws-ses-v2-local/dist/store';
import { testTimeout } from './timeouts';

export type StoredEmail = Email;

export interface SesLocal {
  /** e.g. http://127.0.0.1:41234, for the SDK's `endpoint`. */
  endpoint: string;
  /** The SendRawEmail form fields as the server decoded them, one record per API call, in order. */
  requests: Record<string, string>[];
  /** The message aws-ses-v2-local stored under this SES MessageId. */
  stored(messageId: string): StoredEmail | undefined;
  stop(): Promise<void>;
}

export async function startSesLocal(): Promise<SesLocal> {
  const server: Server = await startSesServer({ host: '127.0.0.1', port: 0 });
  // Node closes an idle keep-alive socket after 5 s; on a loaded machine the SDK can write its next request (a
  // 10 MB one takes a while to build) into a socket the server is closing: read ECONNRESET. Idle sockets stay open
  // longer than any pause between two requests of a test.
  server.keepAliveTimeout = testTimeout(60_000);
  const requests: Record<string, string>[] = [];
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    res.on('finish', () => {
      const body = (req as IncomingMessage & { body?: Record<string, string> }).body;
      if (req.method === 'POST' && body?.Action) requests.push({ ...body });
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stored: (messageId) => getStoreReadonly().emails.find((e) => e.messageId === messageId),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        // The SDK keeps sockets alive; without this, close() waits for them to time out.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
