/**
 * CDK entry (cdk.json: `npx tsx infra/app.ts`). `npx cdk deploy -c config=FILE` deploys the stack for that config
 * (required: there is no default); cdk-nag's AwsSolutions checks run on every synth and fail it on any unexplained finding.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFromContext } from './config/deployment-config';
import { PROJECT_ROOT } from './constructs/service-function';
import { SecurityIntakeStack } from './stacks/security-intake-stack';

const app = new App();
let config: ReturnType<typeof configFromContext>;
try {
  config = configFromContext(app.node, PROJECT_ROOT);
} catch (err) {
  // a config problem is the user's to fix: one clear message, no stack trace (cdk prints stderr, then stops)
  process.stderr.write(`security-intake: ${(err as Error).message}\n`);
  process.exit(1);
}
new SecurityIntakeStack(app, String(app.node.tryGetContext('stackName') ?? 'SecurityIntake'), {
  config,
  env: { region: config.aws.region, account: process.env.CDK_DEFAULT_ACCOUNT },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
