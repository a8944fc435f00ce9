/** A local port is taken; its own module so the control API client can name it without loading smtp-server. */
export class PortInUse extends Error {
  override readonly name = 'PortInUse';
  constructor(readonly port: number, what: string) {
    super(`port ${port} on 127.0.0.1 is already in use (${what}): stop what listens there, or pick another port with --port`);
  }
}
