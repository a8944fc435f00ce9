/** The AWS key store (issue 17) at its edge: Secrets Manager has no local stand-in that writes, so the SDK is mocked. */
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerProjectKeys } from '../../lambdas/adapters/aws/secrets-manager-project-keys';

const KEY = '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nxx\n-----END PGP PRIVATE KEY BLOCK-----\n';

test('reads its project secret only; a placeholder is no key and is checked again later; put writes it', async () => {
  const sm = mockClient(SecretsManagerClient);
  let now = 0;
  const store = new SecretsManagerProjectKeys({ client: new SecretsManagerClient({ region: 'us-east-1' }), secrets: { bases: 'arn:bases' }, now: () => now });
  sm.on(GetSecretValueCommand, { SecretId: 'arn:bases' }).resolves({ SecretString: 'Xk3random32placeholder0000000000' });
  expect(await store.privateKey('bases')).toBeUndefined();
  expect(await store.privateKey('other')).toBeUndefined();
  sm.on(GetSecretValueCommand, { SecretId: 'arn:bases' }).resolves({ SecretString: KEY });
  expect(await store.privateKey('bases')).toBeUndefined(); // the empty answer is cached a while
  now += 10 * 60_000;
  expect(await store.privateKey('bases')).toBe(KEY);
  expect(await store.privateKey('bases')).toBe(KEY);
  expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual(['arn:bases', 'arn:bases']);
  sm.on(PutSecretValueCommand).resolves({});
  await store.put('bases', KEY);
  expect(sm.commandCalls(PutSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: 'arn:bases', SecretString: KEY });
  await expect(store.put('other', KEY)).rejects.toThrow('no key secret for project other');
  sm.restore();
});
