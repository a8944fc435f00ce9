/**
 * The command a mail's reader can run where the mail came from: on AWS the deployed stack's (`secintake --aws`),
 * locally the data folder's. A mail names only a command that works there (issue 15).
 */

/** Where the system runs: `{ stack }` on AWS (the Lambdas' STACK_NAME), undefined on this machine. */
export type CliPlace = { stack: string } | undefined;

/** `secintake <args>` as the reader runs it where `place` is. */
export function cliCommand(place: CliPlace, args: string): string {
  return place ? `secintake --aws --stack ${place.stack} --config <deployment config> ${args}` : `secintake ${args}`;
}
