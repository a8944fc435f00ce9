/**
 * A stand-in for Secrets Manager's GetSecretValue on 127.0.0.1 (AWS JSON 1.1: POST /, `X-Amz-Target:
 * secretsmanager.GetSecretValue`, and PutSecretValue of a secret it has), for the unchanged @aws-sdk/client-secrets-manager through
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`. Only the secrets it was given exist; requests are not signature-checked.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretsManagerLocal {
  endpoint: string;
  /** SecretIds asked for, in order. */
  requests: string[];
  stop(): Promise<void>;
}

export async function startSecretsManagerLocal(secrets: Record<string, string>): Promise<SecretsManagerLocal> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      const target = req.headers['x-amz-target'];
      if (target === 'secretsmanager.PutSecretValue') {
        // `secintake --aws keys create|import`: only secrets the stand-in was given exist
        const { SecretId, SecretString } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string; SecretString?: string };
        if (SecretId === undefined || secrets[SecretId] === undefined) return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
        secrets[SecretId] = String(SecretString);
        return reply(200, { ARN: SecretId, Name: SecretId.split(':').pop(), VersionId: 'v2', VersionStages: ['AWSCURRENT'] });
      }
      if (target !== 'secretsmanager.GetSecretValue') {
        return reply(400, { __type: 'UnknownOperationException', message: String(target) });
      }
      const { SecretId } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string };
      requests.push(String(SecretId));
      const value = SecretId === undefined ? undefined : secrets[SecretId];
      if (value === undefined) return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
      reply(200, { ARN: SecretId, Name: String(SecretId).split(':').pop(), SecretString: value, VersionId: 'v1', VersionStages: ['AWSCURRENT'], CreatedDate: 0 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
