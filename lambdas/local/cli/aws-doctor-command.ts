/** `secintake doctor --aws --config FILE [--profile P] [--region R] [--stack NAME]`: prints aws-doctor.ts's checks. */
import { UserError } from '../user-error';
import type { GlobalOptions } from './connect';
import type { CliIo } from './io';

export async function awsDoctorCommand(
  g: GlobalOptions,
  a: { profile?: string; region?: string; stack: string },
  io: CliIo,
  clients?: import('../../adapters/aws/account-checks').AwsDoctorClients,
): Promise<number> {
  if (!g.configExplicit) {
    throw new UserError('doctor --aws checks an account against a deployment config: give it with --config FILE (the one you deploy with)', 2);
  }
  const [{ loadConfigFile }, { awsDoctor, awsClients }] = await Promise.all([import('../../adapters/local/config-file'), import('../../adapters/aws/account-checks')]);
  const config = loadConfigFile(g.config);
  if (config.aws && a.region) config.aws.region = a.region;
  let problems = 0;
  const out = {
    ok: (s: string) => io.out(`ok       ${s}\n`),
    warn: (s: string) => io.out(`warn     ${s}\n`),
    problem: (s: string) => {
      problems++;
      io.out(`PROBLEM  ${s}\n`);
    },
  };
  try {
    await awsDoctor(config, { stackName: a.stack }, clients ?? awsClients(config.aws?.region ?? a.region ?? 'us-east-1', a.profile), out);
  } catch (err) {
    const e = err as Error;
    // credentials, permissions, network: one line naming what AWS said
    throw new UserError(`AWS refused a read-only check (${e.name}: ${e.message}); the deployer's credentials need the read permissions listed in the README (Deploying to AWS)`);
  }
  io.out(problems ? `${problems} problem(s) found\n` : 'everything checked is ready\n');
  return problems ? 1 : 0;
}
