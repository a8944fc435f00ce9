/**
 * CDK entry (cdk.json: `npx tsx infra/app.ts`). `npx cdk deploy -c config=examples/bases.json` deploys the
 * stack for that config; cdk-nag's AwsSolutions checks run on every synth and fail it on any unexplained finding.
 */
import { deploymentApp } from './deployment-app';

deploymentApp().app.synth();
