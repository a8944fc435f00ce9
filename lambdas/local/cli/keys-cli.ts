/** `secintake keys create|import|export` (issue 17): the commands; their work is in keys-command.ts, loaded on use. */
import type { Command } from 'commander';
import type { CliIo } from './io';
import type { GlobalOptions } from './connect';

export interface KeysCliContext {
  io: CliIo;
  g: () => GlobalOptions;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  act: <A extends any[]>(fn: (...args: A) => Promise<number | void>) => (...args: A) => Promise<void>;
}

export function addKeysCommands(program: Command, ctx: KeysCliContext): void {
  const { io, g, act } = ctx;
  const keys = program.command('keys').description("the project's OpenPGP key: reports encrypted to it are read, mail to reporters with keys is encrypted and signed with it");
  const run = () => import('./keys-command');
  keys
    .command('create')
    .description('make a new key for the project\'s security address (Curve25519; --rsa: RSA 4096) and keep it in <data>/keys (0600)')
    .requiredOption('--project <id>', 'the project')
    .option('--rsa', 'RSA 4096 instead of Curve25519 (ed25519/cv25519)')
    .option('--force', 'replace the key the project already has')
    .action(act(async (o: { project: string; rsa?: boolean; force?: boolean }) => (await run()).createKey(g(), o, io)));
  keys
    .command('import <file>')
    .description('take an existing armored private key (unprotected) for the project')
    .requiredOption('--project <id>', 'the project')
    .option('--force', 'replace the key the project already has')
    .action(act(async (file: string, o: { project: string; force?: boolean }) => (await run()).importKey(g(), file, o, io)));
  keys
    .command('export')
    .description("print the project's public key (never the private one): --armor for the website")
    .requiredOption('--project <id>', 'the project')
    .option('--armor', 'armored text (the default; binary is not printed to a terminal)')
    .action(act(async (o: { project: string }) => (await run()).exportKey(g(), o, io)));
}
