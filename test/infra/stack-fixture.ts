/** Builds the stack from a config object (the examples/*.json may not exist yet) with bundling skipped. */
import { App } from 'aws-cdk-lib';
import { configSchema, type Config } from '../../lambdas/core/config';
import { deployable } from '../../infra/config/deployment-config';
import { SecurityIntakeStack } from '../../infra/stacks/security-intake-stack';

export function testConfig(aws: Partial<NonNullable<Config['aws']>> = {}): Config {
  return configSchema.parse({
    messageIdDomain: 'intake.example.org',
    projects: [
      {
        id: 'bases',
        name: 'bases',
        addresses: ['security@bases.example.org'],
        maintainers: [{ address: 'sam@bases.example.org', name: 'Sam' }],
        calendar: { timeZone: 'Europe/Rome' },
        timers: { acknowledge: { soft: '24h' }, respond: '48h' },
      },
      {
        id: 'falconpy',
        name: 'falconpy',
        addresses: ['security@falconpy.example.com', 'psirt@falconpy.example.com'],
        maintainers: [{ address: 'lee@falconpy.example.com' }],
        calendar: { timeZone: 'America/New_York' },
        timers: { acknowledge: { soft: '48bh', hard: '72bh' } },
      },
    ],
    aws: {
      region: 'us-east-1',
      ruleSet: { mode: 'existing', name: 'default-rule-set' },
      alarmEmail: 'ops@example.org',
      sesConfigurationSet: 'security-intake',
      ...aws,
    },
  });
}

export function buildStack(config: Config = testConfig(), opts: { bundle?: boolean } = {}) {
  const app = new App({
    context: opts.bundle ? {} : { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  } as ConstructorParameters<typeof App>[0]);
  const stack = new SecurityIntakeStack(app, 'SecurityIntake', {
    config: deployable(config, 'test config'),
    env: { region: config.aws?.region ?? 'us-east-1', account: '123456789012' },
  });
  return { app, stack };
}
