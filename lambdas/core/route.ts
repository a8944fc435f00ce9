/**
 * Which project an inbound message is for: the first envelope recipient whose base address (no `+tag`,
 * any case) is one of a project's security addresses. Reply addresses route like their base address.
 */
import type { Config, Project } from './config';
import { baseAddress } from './reply-address';

export function routeToProject(recipients: string[], config: Config): Project | undefined {
  const byAddress = new Map<string, Project>();
  for (const project of config.projects) {
    for (const address of project.addresses) {
      const base = baseAddress(address);
      if (!byAddress.has(base)) byAddress.set(base, project);
    }
  }
  for (const recipient of recipients) {
    const project = byAddress.get(baseAddress(recipient));
    if (project) return project;
  }
  return undefined;
}
