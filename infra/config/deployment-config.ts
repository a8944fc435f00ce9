/**
 * The CDK app reads the same config file as the local stack, named by context:
 * `npx cdk deploy -c config=examples/bases.json`. The AWS section is required here (the local stack ignores it).
 */
import * as path from 'node:path';
import type { Node } from 'constructs';
import { loadConfigFile } from '../../lambdas/adapters/local/config-file';
import type { Config } from '../../lambdas/core/config';
import { checkReceivingRegion } from './receiving-region';

export type AwsSection = NonNullable<Config['aws']>;
export type DeployableConfig = Config & { aws: AwsSection };

export class MissingAwsSection extends Error {
  override readonly name = 'MissingAwsSection';
  constructor(file: string) {
    super(
      `${file} has no "aws" section: add "aws": { "region": "us-east-1", "ruleSet": { "mode": "existing", ` +
        `"name": "<your active SES receipt rule set>" } } (see README, Deploying to AWS)`,
    );
  }
}

/** Checks what only a deployment needs: an aws section, and a region where SES receives mail. */
export function deployable(config: Config, source: string, allowReceivingRegion?: string): DeployableConfig {
  if (!config.aws) throw new MissingAwsSection(source);
  checkReceivingRegion(config.aws.region, allowReceivingRegion);
  return config as DeployableConfig;
}

export class MissingConfigContext extends Error {
  override readonly name = 'MissingConfigContext';
  constructor() {
    super(
      'no config given: run `npx cdk deploy -c config=path/to/your-config.json` (your projects, addresses, maintainers ' +
        'and an "aws" section; start from a copy of examples/*.json). There is no default, so a deploy never ships ' +
        "the examples' placeholder addresses. `npm run synth` synthesizes examples/bases.json for trying it offline.",
    );
  }
}

/** Context `config` (a path relative to the project root) -> a validated, deployable config. Required: a
 *  deploy without `-c config=FILE` stops here rather than deploy an example. */
export function configFromContext(node: Node, projectRoot: string): DeployableConfig {
  const given = node.tryGetContext('config') as string | undefined;
  if (typeof given !== 'string' || given.trim() === '') throw new MissingConfigContext();
  const file = given;
  const config = loadConfigFile(path.resolve(projectRoot, file));
  const allow = node.tryGetContext('allowReceivingRegion') as string | undefined;
  return deployable(config, file, allow);
}
