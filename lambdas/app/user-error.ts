/** A problem the user caused or can fix; the CLI prints its message as one line and exits 1 (2: bad usage).
 *  Its own module so that the CLI can name it without loading the stack. */
export class UserError extends Error {
  override readonly name: string = 'UserError';
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
  }
}
