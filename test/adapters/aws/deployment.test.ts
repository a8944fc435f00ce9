import { awsDeployment, DeploymentMisconfigured, deploymentConfig, resetAwsDeployment } from '../../../lambdas/adapters/aws/deployment';
import { testConfig } from '../../infra/stack-fixture';

const ENV = {
  TABLE_NAME: 'reports',
  BUCKET_NAME: 'raw',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:SecurityIntake-reports',
  REPLY_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:reply',
  AWS_REGION: 'us-east-1',
};
const saved = { ...process.env };

beforeEach(() => {
  resetAwsDeployment();
  Object.assign(process.env, ENV, { SECINTAKE_CONFIG: JSON.stringify(testConfig()) });
});
afterEach(() => {
  process.env = { ...saved };
});

test('builds the dependency set once per container from the compiled-in config', () => {
  const deps = awsDeployment();
  expect(deps.config.projects.map((p) => p.id)).toEqual(['bases', 'falconpy']);
  expect(awsDeployment()).toBe(deps);
});

test('a config that fails validation names the problem', () => {
  process.env.SECINTAKE_CONFIG = JSON.stringify({ ...testConfig(), projects: [] });
  expect(() => deploymentConfig()).toThrow(/projects/);
});

test('a bundle without a config or a function without its environment says to redeploy, and is not memoized', () => {
  delete process.env.SECINTAKE_CONFIG;
  expect(() => awsDeployment()).toThrow(DeploymentMisconfigured);
  process.env.SECINTAKE_CONFIG = JSON.stringify(testConfig());
  delete process.env.TABLE_NAME;
  expect(() => awsDeployment()).toThrow(/TABLE_NAME/);
  process.env.TABLE_NAME = 'reports';
  expect(awsDeployment().config.messageIdDomain).toBe('intake.example.org');
});

test('functions other than intake carry no mail parser or DKIM verifier, and say so if one is ever called', () => {
  const deps = awsDeployment();
  expect(() => deps.parser.parse(Buffer.from('x'), { limits: deps.config.limits })).toThrow(/only bundled in the intake function/);
  expect(() => deps.dkim.verify(Buffer.from('x'))).toThrow(DeploymentMisconfigured);
});
