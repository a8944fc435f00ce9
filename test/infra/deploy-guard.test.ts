/** A deploy that cannot go wrong quietly: no default config, and a warning when alarms would reach no one. */
import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { configFromContext, MissingConfigContext } from '../../infra/config/deployment-config';
import { PROJECT_ROOT } from '../../infra/constructs/service-function';
import { buildStack, testConfig } from './stack-fixture';

describe('deploy guard', () => {
  it('refuses to pick a config when none is given (no example is ever deployed by default)', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(() => configFromContext(app.node, PROJECT_ROOT)).toThrow(MissingConfigContext);
    expect(() => configFromContext(app.node, PROJECT_ROOT)).toThrow(/npx cdk deploy -c config=/);
  });

  it('takes the config named by -c config=FILE', () => {
    const app = new App({ context: { config: 'examples/bases.json' } });
    expect(configFromContext(app.node, PROJECT_ROOT).projects[0].id).toBe('bases');
  });

  it('warns at synth when aws.alarmEmail is missing, and not when it is set', () => {
    const without = buildStack(testConfig({ alarmEmail: undefined })).stack;
    Annotations.fromStack(without).hasWarning('*', Match.stringLikeRegexp('aws.alarmEmail is not set'));
    const withEmail = buildStack(testConfig()).stack;
    Annotations.fromStack(withEmail).hasNoWarning('*', Match.stringLikeRegexp('aws.alarmEmail is not set'));
  });
});
