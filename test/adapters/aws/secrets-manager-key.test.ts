import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ReplyKeyUnusable, SecretsManagerKey } from '../../../lambdas/adapters/aws/secrets-manager-key';

function fakeClient(values: (string | Error)[]) {
  const calls: string[] = [];
  const client = {
    send: (async (cmd: GetSecretValueCommand) => {
      calls.push(String(cmd.input.SecretId));
      const next = values.shift();
      if (next instanceof Error) throw next;
      return { SecretString: next };
    }) as never,
  };
  return { client, calls };
}

const KEY = 'a'.repeat(64);

test('reads the secret once per container and returns its bytes', async () => {
  const { client, calls } = fakeClient([KEY]);
  const keys = new SecretsManagerKey({ client, secretId: 'arn:secret:reply' });
  expect((await keys.replyAddressKey()).toString()).toBe(KEY);
  await keys.replyAddressKey();
  expect(calls).toEqual(['arn:secret:reply']);
});

test('a failed read is retried on the next call instead of being cached', async () => {
  const { client, calls } = fakeClient([new Error('throttled'), KEY]);
  const keys = new SecretsManagerKey({ client, secretId: 's' });
  await expect(keys.replyAddressKey()).rejects.toThrow('throttled');
  await expect(keys.replyAddressKey()).resolves.toHaveLength(64);
  expect(calls).toHaveLength(2);
});

test('a secret too short for an HMAC-SHA256 key is refused with what to do', async () => {
  const { client } = fakeClient(['short']);
  const keys = new SecretsManagerKey({ client, secretId: 's' });
  await expect(keys.replyAddressKey()).rejects.toThrow(ReplyKeyUnusable);
});
