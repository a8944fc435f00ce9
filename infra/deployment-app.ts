/**
 * The CDK app as `cdk synth` builds it (infra/app.ts), as a function: the deployed-artifact test and
 * `npm run bench -- bundle` synthesize exactly these asset folders, offline, into a folder of their choice.
 */
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFromContext } from './config/deployment-config';
import { PROJECT_ROOT } from './constructs/service-function';
import { SecurityIntakeStack } from './stacks/security-intake-stack';

export interface DeploymentAppOptions extends AppProps {
  /** cdk-nag's AwsSolutions checks (on for every `cdk synth`; test/infra/cdk-nag.test.ts covers them too). */
  nag?: boolean;
}

export function deploymentApp(opts: DeploymentAppOptions = {}): { app: App; stack: SecurityIntakeStack } {
  const { nag = true, ...props } = opts;
  const app = new App(props);
  const config = configFromContext(app.node, PROJECT_ROOT);
  const stack = new SecurityIntakeStack(app, String(app.node.tryGetContext('stackName') ?? 'SecurityIntake'), {
    config,
    env: { region: config.aws.region, account: process.env.CDK_DEFAULT_ACCOUNT },
  });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
