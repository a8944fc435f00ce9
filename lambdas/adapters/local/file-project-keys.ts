/**
 * Project OpenPGP keys on this machine: `<data>/keys/<project>.asc`, readable by the owner only (0600, in a
 * 0700 folder). On AWS they live in Secrets Manager (adapters/aws/secrets-manager-project-keys.ts).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ProjectKeyStore } from '../../ports/pgp';

const PROJECT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const projectKeysDir = (data: string) => path.join(data, 'keys');

export class FileProjectKeys implements ProjectKeyStore {
  constructor(readonly folder: string) {}

  file(projectId: string): string {
    if (!PROJECT_ID.test(projectId)) throw new Error(`project ID ${JSON.stringify(projectId)} cannot name a key file`);
    return path.join(this.folder, `${projectId}.asc`);
  }

  async privateKey(projectId: string): Promise<string | undefined> {
    try {
      const text = await fs.readFile(this.file(projectId), 'utf8');
      return text.trim() ? text : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async put(projectId: string, armoredPrivateKey: string): Promise<void> {
    await fs.mkdir(this.folder, { recursive: true, mode: 0o700 });
    const file = this.file(projectId);
    const temp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(temp, armoredPrivateKey, { mode: 0o600 });
    // mode on create is subject to the umask: set it explicitly before the key takes the file's name
    await fs.chmod(temp, 0o600);
    await fs.rename(temp, file);
  }
}
