/**
 * A local GitHub on 127.0.0.1 for the disclosure steps (issue 14): exactly the endpoints the Octokit adapter
 * uses, every request body and every response checked against GitHub's own published OpenAPI description
 * (@octokit/openapi, api.github.com.json) with ajv. A body the description rejects gets 422 as on GitHub; a
 * response of ours it rejects is a 500 (a bug of the stand-in) and is kept in `problems` for the tests.
 *
 * Items start from the description's own examples (so they carry every field the schema requires) with our
 * values set. A GitHub App (`app` option) gets installation tokens for RS256 JWTs signed with its key.
 * What it holds is written to <data>/github-standin.json (read by `secintake github`).
 * The description is loaded only here: it is never part of a Lambda bundle.
 */
import { createVerify, randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = any;

export interface StandInState {
  issues: Array<Json & { repo: string; comments_list: Json[] }>;
  advisories: Array<Json & { repo: string }>;
  releases: Array<Json & { repo: string }>;
}

export interface GitHubStandIn {
  baseUrl: string;
  token: string;
  state: StandInState;
  /** Responses of ours the description rejected, and requests refused with 422 (method path: reason). */
  problems: string[];
  rejected: string[];
  close(): Promise<void>;
}

interface Route {
  method: 'GET' | 'POST' | 'PATCH';
  /** The path as in the OpenAPI description. */
  path: string;
  status: number;
  handle(params: Record<string, string>, body: Json, repo: string): { status?: number; body: Json };
}

let description: Json | undefined;
let ajvInstance: any;

function loadDescription(): { doc: Json; ajv: any } {
  if (!description) {
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
    description = withoutNullable(JSON.parse(readFileSync(file, 'utf8')));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Ajv = require('ajv').default;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const addFormats = require('ajv-formats').default;
    ajvInstance = new Ajv({ strict: false, allErrors: true, validateSchema: false, validateFormats: true });
    addFormats(ajvInstance);
    ajvInstance.addSchema(description, 'gh');
  }
  return { doc: description, ajv: ajvInstance };
}

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: `type: [t, "null"]` (and null in an `enum`), or, beside a
 * `$ref`/`allOf` without a type, `anyOf: [schema, {type: "null"}]`. ajv knows `nullable` only next to `type`.
 */
function withoutNullable(node: Json): Json {
  if (Array.isArray(node)) return node.map(withoutNullable);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'example' || k === 'examples' ? v : withoutNullable(v);
  if (out.nullable !== true) {
    delete out.nullable;
    return out;
  }
  delete out.nullable;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  const { description: d, ...rest } = out;
  return { ...(d !== undefined ? { description: d } : {}), anyOf: [rest, { type: 'null' }] };
}

const pointer = (...parts: string[]) => parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

function validator(path: string, method: string, where: 'request' | number): ((v: Json) => boolean) & { errors?: Json[] } | undefined {
  const { doc, ajv } = loadDescription();
  const op = doc.paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`the description has no ${method} ${path}`);
  let ref: string;
  if (where === 'request') {
    if (!op.requestBody) return undefined;
    ref = `gh#/${pointer('paths', path, method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema')}`;
  } else {
    let resp = op.responses[String(where)];
    if (!resp) throw new Error(`the description has no ${where} response for ${method} ${path}`);
    if (resp.$ref) resp = doc.components.responses[resp.$ref.split('/').pop()];
    if (!resp.content?.['application/json']) return undefined;
    ref = op.responses[String(where)].$ref
      ? `gh#/${pointer('components', 'responses', op.responses[String(where)].$ref.split('/').pop(), 'content', 'application/json', 'schema')}`
      : `gh#/${pointer('paths', path, method.toLowerCase(), 'responses', String(where), 'content', 'application/json', 'schema')}`;
  }
  return ajv.getSchema(ref);
}

function example(name: string): Json {
  return structuredClone(loadDescription().doc.components.examples[name].value);
}

export async function startGitHubStandIn(opts: {
  token?: string;
  stateFile?: string;
  port?: number;
  /** A GitHub App whose JWTs (RS256, signed with its private key) get installation tokens, as on GitHub. */
  app?: { appId: string; publicKey: string; installationId: string };
} = {}): Promise<GitHubStandIn> {
  loadDescription();
  const token = opts.token ?? randomBytes(24).toString('hex');
  const state: StandInState = await loadState(opts.stateFile);
  const problems: string[] = [];
  const rejected: string[] = [];
  let baseUrl = '';
  const nowIso = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const user = example('issue').user;
  const nextId = () => 1000 + state.issues.length + state.advisories.length + state.releases.length + state.issues.reduce((n, i) => n + i.comments_list.length, 0);
  const strip = ({ repo: _r, comments_list: _c, ...rest }: Json) => rest;
  const notFound = { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };

  const installationTokens = new Set<string>();
  const issueOf = (repo: string, n: string) => state.issues.find((i) => i.repo === repo && String(i.number) === n);
  const routes: Route[] = [
    {
      method: 'POST', path: '/app/installations/{installation_id}/access_tokens', status: 201,
      handle: (p) => {
        if (!opts.app || p.installation_id !== opts.app.installationId) return notFound;
        const t = `ghs_${randomBytes(18).toString('hex')}`;
        installationTokens.add(t);
        return { body: { ...example('installation-token'), token: t, expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), repository_selection: 'selected', permissions: { issues: 'write', repository_advisories: 'write', contents: 'write', metadata: 'read' } } };
      },
    },
    {
      method: 'GET', path: '/repos/{owner}/{repo}/issues', status: 200,
      handle: (_p, _b, repo) => ({ body: state.issues.filter((i) => i.repo === repo).map(strip) }),
    },
    {
      method: 'POST', path: '/repos/{owner}/{repo}/issues', status: 201,
      handle: (_p, b, repo) => {
        const number = state.issues.filter((i) => i.repo === repo).length + 1;
        const id = nextId();
        const issue = {
          ...example('issue'), id, node_id: `I_${id}`, number, title: String(b.title), body: b.body ?? null, state: 'open', state_reason: null,
          comments: 0, labels: [], assignee: null, assignees: [], milestone: null, closed_at: null, closed_by: null, pull_request: undefined,
          created_at: nowIso(), updated_at: nowIso(), user,
          url: `${baseUrl}/repos/${repo}/issues/${number}`, html_url: `https://github.com/${repo}/issues/${number}`,
          repository_url: `${baseUrl}/repos/${repo}`, comments_url: `${baseUrl}/repos/${repo}/issues/${number}/comments`,
          labels_url: `${baseUrl}/repos/${repo}/issues/${number}/labels{/name}`, events_url: `${baseUrl}/repos/${repo}/issues/${number}/events`,
        };
        delete (issue as Json).pull_request;
        state.issues.push({ ...issue, repo, comments_list: [] });
        return { body: issue };
      },
    },
    {
      method: 'PATCH', path: '/repos/{owner}/{repo}/issues/{issue_number}', status: 200,
      handle: (p, b, repo) => {
        const issue = issueOf(repo, p.issue_number!);
        if (!issue) return notFound;
        for (const k of ['title', 'body', 'state', 'state_reason'] as const) if (b[k] !== undefined) issue[k] = b[k];
        if (b.state === 'closed' && !issue.closed_at) issue.closed_at = nowIso();
        issue.updated_at = nowIso();
        return { body: strip(issue) };
      },
    },
    {
      method: 'GET', path: '/repos/{owner}/{repo}/issues/{issue_number}/comments', status: 200,
      handle: (p, _b, repo) => {
        const issue = issueOf(repo, p.issue_number!);
        return issue ? { body: issue.comments_list } : notFound;
      },
    },
    {
      method: 'POST', path: '/repos/{owner}/{repo}/issues/{issue_number}/comments', status: 201,
      handle: (p, b, repo) => {
        const issue = issueOf(repo, p.issue_number!);
        if (!issue) return notFound;
        const id = nextId();
        const comment = {
          ...example('issue-comment'), id, node_id: `IC_${id}`, body: String(b.body), user, created_at: nowIso(), updated_at: nowIso(),
          url: `${baseUrl}/repos/${repo}/issues/comments/${id}`, html_url: `https://github.com/${repo}/issues/${issue.number}#issuecomment-${id}`,
          issue_url: `${baseUrl}/repos/${repo}/issues/${issue.number}`,
        };
        issue.comments_list.push(comment);
        issue.comments = issue.comments_list.length;
        return { body: comment };
      },
    },
    {
      method: 'GET', path: '/repos/{owner}/{repo}/security-advisories', status: 200,
      handle: (_p, _b, repo) => ({ body: state.advisories.filter((a) => a.repo === repo).map(strip) }),
    },
    {
      method: 'POST', path: '/repos/{owner}/{repo}/security-advisories', status: 201,
      handle: (_p, b, repo) => {
        const n = state.advisories.length + 1;
        const ghsa = `GHSA-${String(n).padStart(4, '0')}-loca-l000`;
        const base = example('repository-advisory');
        const adv = {
          ...base, ghsa_id: ghsa, cve_id: b.cve_id ?? null, summary: b.summary, description: b.description ?? null,
          severity: b.severity ?? (b.cvss_vector_string ? 'high' : null), state: 'draft',
          url: `${baseUrl}/repos/${repo}/security-advisories/${ghsa}`, html_url: `https://github.com/${repo}/security/advisories/${ghsa}`,
          identifiers: [{ value: ghsa, type: 'GHSA' }, ...(b.cve_id ? [{ value: b.cve_id, type: 'CVE' }] : [])],
          created_at: nowIso(), updated_at: nowIso(), published_at: null, closed_at: null, withdrawn_at: null, submission: null,
          vulnerabilities: (b.vulnerabilities ?? []).map((v: Json) => ({ package: v.package, vulnerable_version_range: v.vulnerable_version_range ?? null, patched_versions: v.patched_versions ?? null, vulnerable_functions: v.vulnerable_functions ?? [] })),
          cvss: b.cvss_vector_string ? { vector_string: b.cvss_vector_string, score: null } : null,
          cvss_severities: b.cvss_vector_string ? { cvss_v3: { vector_string: b.cvss_vector_string, score: null }, cvss_v4: null } : null,
          cwes: (b.cwe_ids ?? []).map((c: string) => ({ cwe_id: c, name: c })), cwe_ids: b.cwe_ids ?? [],
          credits: [], credits_detailed: [], collaborating_users: null, collaborating_teams: null, private_fork: null,
          publisher: null, author: base.author,
        };
        state.advisories.push({ ...adv, repo });
        return { body: adv };
      },
    },
    {
      method: 'POST', path: '/repos/{owner}/{repo}/security-advisories/{ghsa_id}/cve', status: 202,
      handle: (p, _b, repo) => {
        const adv = state.advisories.find((a) => a.repo === repo && a.ghsa_id === p.ghsa_id);
        if (!adv) return notFound;
        if (adv.cve_id) return { status: 422, body: { message: 'Validation Failed', errors: ['A CVE was already assigned'], documentation_url: 'https://docs.github.com/rest' } };
        // GitHub assigns it later; the stand-in at once, from a local range no real CVE uses
        adv.cve_id = `CVE-2099-${String(10000 + state.advisories.indexOf(adv)).padStart(5, '0')}`;
        adv.identifiers.push({ value: adv.cve_id, type: 'CVE' });
        return { body: {} };
      },
    },
    {
      method: 'PATCH', path: '/repos/{owner}/{repo}/security-advisories/{ghsa_id}', status: 200,
      handle: (p, b, repo) => {
        const adv = state.advisories.find((a) => a.repo === repo && a.ghsa_id === p.ghsa_id);
        if (!adv) return notFound;
        if (b.state) adv.state = b.state;
        if (b.state === 'published') adv.published_at = nowIso();
        adv.updated_at = nowIso();
        return { body: strip(adv) };
      },
    },
    {
      method: 'GET', path: '/repos/{owner}/{repo}/releases', status: 200,
      handle: (_p, _b, repo) => ({ body: state.releases.filter((r) => r.repo === repo).map(strip) }),
    },
    {
      method: 'POST', path: '/repos/{owner}/{repo}/releases', status: 201,
      handle: (_p, b, repo) => {
        const id = nextId();
        const rel = {
          ...example('release'), id, node_id: `RE_${id}`, tag_name: b.tag_name, target_commitish: b.target_commitish ?? 'main', name: b.name ?? null,
          body: b.body ?? null, draft: !!b.draft, prerelease: !!b.prerelease, created_at: nowIso(), published_at: b.draft ? null : nowIso(),
          url: `${baseUrl}/repos/${repo}/releases/${id}`, html_url: `https://github.com/${repo}/releases/tag/untagged-${id}`, assets: [], author: user,
        };
        state.releases.push({ ...rel, repo });
        return { body: rel };
      },
    },
  ];
  const compiled = routes.map((r) => ({
    ...r,
    pattern: new RegExp(`^${r.path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`),
    request: validator(r.path, r.method, 'request'),
    response: validator(r.path, r.method, r.status),
  }));

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: Error) => {
      problems.push(`${req.method} ${req.url}: ${err.message}`);
      send(res, 500, { message: err.message });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const auth = req.headers.authorization ?? '';
    const presented = auth.replace(/^(token|bearer) /i, '');
    const asApp = url.pathname.startsWith('/app/');
    const ok = asApp ? opts.app !== undefined && validAppJwt(presented, opts.app) : presented === token || installationTokens.has(presented);
    if (!ok) {
      return send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    }
    const route = compiled.find((r) => r.method === req.method && r.pattern.test(url.pathname));
    if (!route) return send(res, 404, { message: `Not Found (the stand-in implements only the endpoints security-intake uses)`, documentation_url: 'https://docs.github.com/rest' });
    const params = route.pattern.exec(url.pathname)!.groups as Record<string, string>;
    let body: Json = {};
    if (chunks.length) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(res, 400, { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/rest' });
      }
    }
    if (route.request && !route.request(body)) {
      const errors = (route.request.errors ?? []).map((e: Json) => `${e.instancePath || '(body)'} ${e.message}`);
      rejected.push(`${req.method} ${route.path}: ${errors.join('; ')}`);
      return send(res, 422, { message: 'Invalid request.', errors, documentation_url: 'https://docs.github.com/rest' });
    }
    const repo = `${params.owner}/${params.repo}`;
    const out = route.handle(params, body, repo);
    const status = out.status ?? route.status;
    if (status === route.status && route.response && !route.response(out.body)) {
      const errors = (route.response.errors ?? []).slice(0, 5).map((e: Json) => `${e.instancePath} ${e.message}`);
      throw new Error(`our response does not match the description: ${errors.join('; ')}`);
    }
    if (req.method !== 'GET') await saveState(opts.stateFile, state);
    send(res, status, out.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    token,
    state,
    problems,
    rejected,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** An app JWT as GitHub checks it: RS256 over header.payload with the app's key, `iss` the app ID, not expired. */
function validAppJwt(jwt: string, app: { appId: string; publicKey: string }): boolean {
  const [h, p, sig] = jwt.split('.');
  if (!h || !p || !sig) return false;
  try {
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    if (header.alg !== 'RS256' || String(payload.iss) !== app.appId) return false;
    if (typeof payload.exp !== 'number' || payload.exp * 1000 < Date.now()) return false;
    return createVerify('RSA-SHA256').update(`${h}.${p}`).verify(app.publicKey, Buffer.from(sig, 'base64url'));
  } catch {
    return false;
  }
}

function send(res: ServerResponse, status: number, body: Json): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function loadState(file: string | undefined): Promise<StandInState> {
  if (file) {
    try {
      return JSON.parse(await fs.readFile(file, 'utf8')) as StandInState;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return { issues: [], advisories: [], releases: [] };
}

async function saveState(file: string | undefined, state: StandInState): Promise<void> {
  if (!file) return;
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(state, null, 2));
  await fs.rename(tmp, file);
}
