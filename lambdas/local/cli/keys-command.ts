/**
 * The work of `secintake keys` (issue 17): keys are made and read with OpenPGP.js (adapters/openpgp-engine.ts)
 * and kept by the local key store, `<data>/keys/<project>.asc`, 0600, or with `--aws` in the project's secret of
 * the deployed stack (output ProjectKeySecrets). The private key is never printed: create and import print the
 * fingerprint and the public key only.
 */
import { readFile } from 'node:fs/promises';
import { FileProjectKeys, projectKeysDir } from '../../adapters/local/file-project-keys';
import { OpenPgpEngine } from '../../adapters/openpgp-engine';
import { loadConfigFile } from '../../adapters/local/config-file';
import { UserError } from '../user-error';
import type { GlobalOptions } from './connect';
import type { ProjectKeyStore } from '../../ports/pgp';
import type { CliIo } from './io';

function projectOf(g: GlobalOptions, id: string) {
  const config = loadConfigFile(g.config);
  const project = config.projects.find((p) => p.id === id);
  if (!project) throw new UserError(`no project ${JSON.stringify(id)} in the config (it has: ${config.projects.map((p) => p.id).join(', ')})`, 2);
  return { config, project };
}

/** Where the project's key is kept: the data folder, or with --aws the project's secret in the deployed stack. */
interface KeyPlace {
  store: ProjectKeyStore;
  /** In words, for messages: the file or the secret. */
  where: string;
}

/** The SDK clients of `--aws keys` (tests point them at stand-ins). */
export type AwsKeyClients = Parameters<typeof import('../../adapters/aws/deployed-stack-reader').awsProjectKeys>[2];

async function placeOf(g: GlobalOptions, config: ReturnType<typeof loadConfigFile>, projectId: string, aws?: AwsKeyClients): Promise<KeyPlace> {
  if (g.aws) {
    const { awsProjectKeys } = await import('../../adapters/aws/deployed-stack-reader');
    const { store, secrets } = await awsProjectKeys(config, g.aws, aws);
    const secret = secrets[projectId];
    if (!secret) throw new UserError(`stack ${g.aws.stack} has no key secret for project ${projectId}: redeploy it with this config`, 2);
    return { store, where: `the secret ${secret}` };
  }
  const store = new FileProjectKeys(projectKeysDir(g.data));
  return { store, where: `${store.file(projectId)} (0600)` };
}

export async function projectKeyFingerprint(data: string, projectId: string): Promise<string | undefined> {
  const key = await new FileProjectKeys(projectKeysDir(data)).privateKey(projectId).catch(() => undefined);
  return key ? (await new OpenPgpEngine().publicOf(key)).fingerprint : undefined;
}

async function refuseOverwrite(place: KeyPlace, projectId: string, force?: boolean) {
  if (!force && (await place.store.privateKey(projectId))) {
    throw new UserError(`project ${projectId} already has a key (in ${place.where}); --force replaces it (mail encrypted to the old one can then no longer be read)`, 2);
  }
}

export async function createKey(g: GlobalOptions, o: { project: string; rsa?: boolean; force?: boolean }, io: CliIo, aws?: AwsKeyClients): Promise<void> {
  const { config, project } = projectOf(g, o.project);
  const place = await placeOf(g, config, project.id, aws);
  await refuseOverwrite(place, project.id, o.force);
  const engine = new OpenPgpEngine();
  const key = await engine.generate({ name: `${project.name} security`, email: project.addresses[0]! }, o.rsa ? 'rsa4096' : 'curve25519');
  await place.store.put(project.id, key);
  const pub = await engine.publicOf(key);
  io.err(`project ${project.id}: new ${o.rsa ? 'RSA 4096' : 'Curve25519'} key ${pub.fingerprint} in ${place.where}\n`);
  io.out(pub.armored);
}

export async function importKey(g: GlobalOptions, file: string, o: { project: string; force?: boolean }, io: CliIo, aws?: AwsKeyClients): Promise<void> {
  const { config, project } = projectOf(g, o.project);
  let armored: string;
  try {
    armored = await readFile(file, 'utf8');
  } catch {
    throw new UserError(`${file}: cannot be read`, 2);
  }
  const engine = new OpenPgpEngine();
  let pub;
  try {
    pub = await engine.publicOf(armored);
    // it must decrypt: a protected key cannot be used unattended
    await engine.encrypt(Buffer.from('check'), [pub.armored], armored);
  } catch (err) {
    throw new UserError(`${file} is not an unprotected armored OpenPGP private key: ${err instanceof Error ? err.message : String(err)}`, 2);
  }
  const place = await placeOf(g, config, project.id, aws);
  await refuseOverwrite(place, project.id, o.force);
  await place.store.put(project.id, armored);
  io.err(`project ${project.id}: key ${pub.fingerprint} imported into ${place.where}\n`);
}

export async function exportKey(g: GlobalOptions, o: { project: string }, io: CliIo, aws?: AwsKeyClients): Promise<void> {
  const { config, project } = projectOf(g, o.project);
  const place = await placeOf(g, config, project.id, aws);
  const key = await place.store.privateKey(project.id);
  if (!key) throw new UserError(`project ${project.id} has no key in ${place.where}: secintake ${g.aws ? '--aws ' : ''}keys create --project ${project.id}`, 2);
  io.out((await new OpenPgpEngine().publicOf(key)).armored);
}
