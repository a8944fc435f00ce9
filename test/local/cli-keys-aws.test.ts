/**
 * `secintake --aws keys create|import|export` (issue 17): the project's key goes into its secret of the deployed
 * stack, found through the stack's ProjectKeySecrets output. Secrets Manager is the local stand-in
 * (test/support/secrets-manager-local.ts) through the real SDK client; CloudFormation's DescribeStacks is stubbed
 * (aws-sdk-client-mock), as in the other --aws tests. The private key is never printed.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKey, exportKey, importKey } from '../../lambdas/local/cli/keys-command';
import type { GlobalOptions } from '../../lambdas/local/cli/connect';
import { startSecretsManagerLocal, type SecretsManagerLocal } from '../support/secrets-manager-local';
import { engine, makeKey } from '../support/pgp-fixtures';
import { testTimeout } from '../support/timeouts';

const ROOT = join(__dirname, '../..');
const ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:ProjectKey-bases-AbCdEf';
const cfn = mockClient(CloudFormationClient);

let sm: SecretsManagerLocal;
let secrets: Record<string, string>;
let dir: string;
let clients: { cfn: CloudFormationClient; secrets: SecretsManagerClient };
const g: GlobalOptions = { data: '/nonexistent', config: join(ROOT, 'examples/bases.json'), configExplicit: true, aws: { stack: 'SecurityIntake' } };

function io() {
  const o = { out: '', err: '' };
  return { o, io: { out: (t: string) => void (o.out += t), err: (t: string) => void (o.err += t) } };
}

beforeEach(async () => {
  secrets = { [ARN]: 'placeholder-3f9a' };
  sm = await startSecretsManagerLocal(secrets);
  dir = await mkdtemp(join(tmpdir(), 'secintake-keys-aws-'));
  clients = {
    cfn: new CloudFormationClient({ region: 'eu-west-2' }),
    secrets: new SecretsManagerClient({ region: 'eu-west-2', endpoint: sm.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  };
  cfn.reset();
  cfn.on(DescribeStacksCommand, { StackName: 'SecurityIntake' }).resolves({
    Stacks: [{ StackName: 'SecurityIntake', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'ProjectKeySecrets', OutputValue: JSON.stringify({ bases: ARN }) }] }],
  });
});
afterEach(async () => {
  clients.secrets.destroy();
  await sm.stop();
  await rm(dir, { recursive: true, force: true });
});

test('keys create --aws puts a new private key in the project secret; export prints its public key; a second create is refused', async () => {
  const created = io();
  await createKey(g, { project: 'bases' }, created.io, clients);
  expect(secrets[ARN]).toMatch(/^-----BEGIN PGP PRIVATE KEY BLOCK-----/);
  expect(created.o.out).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
  expect(created.o.out + created.o.err).not.toContain('PRIVATE KEY');
  expect(created.o.err).toContain(`in the secret ${ARN}`);
  const pub = await engine.publicOf(secrets[ARN]!);
  const exported = io();
  await exportKey(g, { project: 'bases' }, exported.io, clients);
  expect(exported.o.out.trim()).toBe(pub.armored.trim());
  await expect(createKey(g, { project: 'bases' }, io().io, clients)).rejects.toThrow(/already has a key .*--force replaces it/);
  expect((await engine.publicOf(secrets[ARN]!)).fingerprint).toBe(pub.fingerprint);
}, testTimeout(60_000));

test('keys import --aws stores an existing key; export before any key names the command', async () => {
  await expect(exportKey(g, { project: 'bases' }, io().io, clients)).rejects.toThrow(/has no key in the secret .*secintake --aws keys create --project bases/);
  const existing = await makeKey('security@hashberg.io');
  const file = join(dir, 'key.asc');
  await writeFile(file, existing.privateKey);
  await importKey(g, file, { project: 'bases' }, io().io, clients);
  expect((await engine.publicOf(secrets[ARN]!)).fingerprint).toBe(existing.fingerprint);
  // a project the stack has no secret for
  cfn.on(DescribeStacksCommand, { StackName: 'SecurityIntake' }).resolves({
    Stacks: [{ StackName: 'SecurityIntake', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'ProjectKeySecrets', OutputValue: '{}' }] }],
  });
  await expect(exportKey(g, { project: 'bases' }, io().io, clients)).rejects.toThrow(/has no key secret for project bases: redeploy/);
}, testTimeout(60_000));
