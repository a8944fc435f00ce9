/**
 * GitHub as the disclosure steps use it (issue 14): issues, repository security advisories, draft releases.
 * `find*` look for an item by its marker (the report UID, see core/disclosure.ts markerOf) so a retry after a
 * crash between a call and its record finds what the first attempt created instead of creating it again.
 */
import type { AdvisoryDraft } from '../core/disclosure';

export interface Created {
  /** Issue number, GHSA ID, release ID. */
  ref: string;
  url: string;
}

export interface GitHub {
  findIssue(repo: string, marker: string): Promise<(Created & { state: string }) | undefined>;
  createIssue(repo: string, issue: { title: string; body: string }): Promise<Created>;
  findComment(repo: string, issue: string, marker: string): Promise<Created | undefined>;
  commentIssue(repo: string, issue: string, body: string): Promise<Created>;
  closeIssue(repo: string, issue: string): Promise<void>;
  findAdvisory(repo: string, marker: string): Promise<(Created & { state: string; cveId?: string }) | undefined>;
  createAdvisory(repo: string, draft: AdvisoryDraft): Promise<Created>;
  requestCve(repo: string, ghsaId: string): Promise<void>;
  publishAdvisory(repo: string, ghsaId: string): Promise<Created>;
  findRelease(repo: string, marker: string): Promise<Created | undefined>;
  createDraftRelease(repo: string, release: { tag_name: string; name: string; body: string }): Promise<Created>;
}

/** How to authenticate: a fine-grained token, or a GitHub App installation. Never in config, logs or SFN input. */
export type GitHubCredentials =
  | { token: string; baseUrl?: string }
  | { appId: string; privateKey: string; installationId: string; baseUrl?: string };

export interface GitHubCredentialSource {
  /** Undefined when none are configured (the secret is still empty): disclosure steps wait and say so. */
  get(): Promise<GitHubCredentials | undefined>;
}
