/**
 * CDK entry (cdk.json: `npx tsx infra/app.ts`). `npx cdk deploy -c config=FILE` deploys the stack for that config
 * (required: there is no default); cdk-nag's AwsSolutions checks run on every synth and fail it on any unexplained finding.
 */
import { deploymentApp } from './deployment-app';

try {
  deploymentApp().app.synth();
} catch (err) {
  // a config problem is the user's to fix (e.g. no `-c config=FILE` for deploy): one clear line, no stack trace
  if ((err as Error).name !== 'ConfigError' && !/config/i.test((err as Error).message)) throw err;
  process.stderr.write(`security-intake: ${(err as Error).message}\n`);
  process.exit(1);
}
