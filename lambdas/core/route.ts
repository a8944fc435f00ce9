/**
 * Which project an inbound message is for: the first envelope recipient whose base address (no `+tag`,
 * any case) is one of a project's security addresses. Reply addresses route like their base address.
 */
import type { Config, Project } from './config';
import { baseAddress } from './reply-address';

export function routeToProject(recipients: string[], config: Config): Project | undefined {
  return routeToProjects(recipients, config)[0];
}

/** Every project the message is addressed to, in the order of the recipients, each once: a report sent to
 *  `falconpy@` and `oss-security@` is a report for each of them. */
export function routeToProjects(recipients: string[], config: Config): Project[] {
  const byAddress = new Map<string, Project>();
  for (const project of config.projects) {
    for (const address of project.addresses) {
      const base = baseAddress(address);
      if (!byAddress.has(base)) byAddress.set(base, project);
    }
  }
  const found: Project[] = [];
  for (const recipient of recipients) {
    const project = byAddress.get(baseAddress(recipient));
    if (project && !found.includes(project)) found.push(project);
  }
  return found;
}

/** A security address of any project, or an address under one (`security+<anything>@`). */
export function isOurAddress(config: Config, address: string): boolean {
  const base = baseAddress(address);
  return config.projects.some((p) => p.addresses.some((a) => baseAddress(a) === base));
}
