import { configSchema } from '../../lambdas/core/config';
import { routeToProject } from '../../lambdas/core/route';

const project = (id: string, addresses: string[]) => ({
  id,
  name: id,
  addresses,
  maintainers: [{ address: `lead@${id}.example` }],
  calendar: { timeZone: 'UTC' },
  timers: { acknowledge: { soft: '24h' } },
});

const config = configSchema.parse({
  messageIdDomain: 'intake.example',
  projects: [project('bases', ['security@bases.example']), project('falcon', ['Security@Falcon.example', 'psirt@falcon.example'])],
});

describe('routeToProject', () => {
  it('routes by the plain security address', () => {
    expect(routeToProject(['security@bases.example'], config)?.id).toBe('bases');
  });

  it('ignores case and +tags (reply addresses route like their base)', () => {
    expect(routeToProject(['SECURITY+k7qm2xpd.abcdefghij@FALCON.example'], config)?.id).toBe('falcon');
    expect(routeToProject(['psirt@falcon.example'], config)?.id).toBe('falcon');
  });

  it('takes the first recipient that belongs to a project', () => {
    expect(routeToProject(['someone@else.example', 'security@bases.example', 'psirt@falcon.example'], config)?.id).toBe(
      'bases',
    );
  });

  it('finds nothing for foreign or look-alike addresses', () => {
    expect(routeToProject(['security@bases.example.evil'], config)).toBeUndefined();
    expect(routeToProject(['xsecurity@bases.example'], config)).toBeUndefined();
    expect(routeToProject([], config)).toBeUndefined();
  });
});
