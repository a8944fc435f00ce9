/** `secintake send` picks a non-null envelope sender unless the file is a delivery report (issue 11). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { run } from '../../lambdas/local/cli/main';

test('a file without From is sent from a placeholder, a DSN from <>, a From-bearing file from its From', async () => {
  const seen: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      seen.push(session.envelope.mailFrom ? session.envelope.mailFrom.address : '');
      stream.resume();
      stream.on('end', () => done());
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = String((server.server.address() as AddressInfo).port);
  const dir = await mkdtemp(join(tmpdir(), 'secintake-send-'));
  try {
    const files = {
      nofrom: 'To: security@hashberg.io\r\nSubject: x\r\n\r\nbody\r\n',
      dsn: 'To: security@hashberg.io\r\nSubject: Undelivered\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n--b--\r\n',
      from: 'From: Jane <jane@reporter.example>\r\nTo: security@hashberg.io\r\nSubject: x\r\n\r\nbody\r\n',
    };
    for (const [name, text] of Object.entries(files)) {
      await writeFile(join(dir, `${name}.eml`), text);
      const code = await run(['--data', dir, 'send', join(dir, `${name}.eml`), '--port', port], { out: () => {}, err: () => {} });
      expect(code).toBe(0);
    }
    expect(seen).toEqual(['secintake-send@localhost', '', 'jane@reporter.example']);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  }
});
