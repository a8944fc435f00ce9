/**
 * An OpenPGP cleartext signature over a security.txt (RFC 9116 section 2.3), with OpenPGP.js: the key comes from
 * an armored private key file, its passphrase (if any) from the SECINTAKE_KEY_PASSPHRASE environment variable,
 * never from the command line. Loaded only by `security-txt --sign-key`.
 */
import { readFile } from 'node:fs/promises';
import { UserError } from '../user-error';

export const PASSPHRASE_ENV = 'SECINTAKE_KEY_PASSPHRASE';

export async function signSecurityTxt(text: string, keyFile: string, passphrase = process.env[PASSPHRASE_ENV]): Promise<string> {
  const openpgp = await import('openpgp');
  let armored: string;
  try {
    armored = await readFile(keyFile, 'utf8');
  } catch (err) {
    throw new UserError(`--sign-key ${keyFile}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read'}`, 2);
  }
  let key: Awaited<ReturnType<typeof openpgp.readPrivateKey>>;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: armored });
  } catch {
    throw new UserError(`--sign-key ${keyFile} is not an armored OpenPGP private key (-----BEGIN PGP PRIVATE KEY BLOCK-----)`, 2);
  }
  if (!key.isDecrypted()) {
    if (!passphrase) throw new UserError(`the key in ${keyFile} is protected: give its passphrase in ${PASSPHRASE_ENV}`, 2);
    try {
      key = await openpgp.decryptKey({ privateKey: key, passphrase });
    } catch {
      throw new UserError(`the passphrase in ${PASSPHRASE_ENV} does not unlock the key in ${keyFile}`, 2);
    }
  }
  const message = await openpgp.createCleartextMessage({ text });
  return openpgp.sign({ message, signingKeys: key });
}
