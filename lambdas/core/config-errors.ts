/**
 * Config problems as one line each, `path: message`, so a user can find the field in the file:
 *   projects[1].timers.acknowledge.soft: "48 bizhours" is not a duration (use e.g. 24h, 7d, 48bh, 2bd, 30m)
 * The CLI and the CDK app print `ConfigError.message` as it is, without a stack trace.
 */
import { z } from 'zod';
import { closestName } from './closest-name';
import { configSchema, formatPath, type Config } from './config';

/** The configuration does not satisfy the schema; `problems` holds one line per issue. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly problems: string[],
    /** The file the config came from, when there is one: it is then named in the message. */
    readonly file?: string,
  ) {
    super(`invalid config${file ? ` in ${file}` : ''}:\n  ${problems.join('\n  ')}`);
  }
}

type Issue = z.core.$ZodIssue;

/** Zod's own wording, made to read as advice about a config file. */
function describe(issue: Issue): string {
  if (issue.code === 'invalid_type') {
    if (/received undefined$/.test(issue.message)) return 'required, but missing';
    return issue.message.replace(/^Invalid input: /, '');
  }
  if (issue.code === 'invalid_value') return issue.message.replace(/^Invalid option: /, '');
  if (issue.code === 'invalid_union' && issue.message === 'Invalid input' && issue.errors.length > 0) {
    // An unbranded union failure: the first branch's first complaint says most.
    const [first] = issue.errors.flat();
    if (first) return describe(first);
  }
  return issue.message;
}

type SchemaNode = { _zod?: { def?: Record<string, unknown> & { type?: string } } } | undefined;

/** The fields the schema allows at `path` (every branch of a union), for "did you mean" on an unknown one. */
function knownKeys(path: PropertyKey[]): string[] {
  const unwrap = (s: SchemaNode): SchemaNode => {
    for (let def = s?._zod?.def; def && ['optional', 'default', 'nullable', 'prefault', 'readonly', 'catch', 'pipe'].includes(def.type ?? ''); def = s?._zod?.def) {
      s = (def.innerType ?? def.in) as SchemaNode;
    }
    return s;
  };
  let nodes: SchemaNode[] = [unwrap(configSchema as unknown as SchemaNode)];
  for (const seg of path) {
    nodes = nodes.flatMap((s): SchemaNode[] => {
      const def = s?._zod?.def;
      if (def?.type === 'array') return [unwrap(def.element as SchemaNode)];
      if (def?.type === 'record') return [unwrap(def.valueType as SchemaNode)];
      if (def?.type === 'object') return [unwrap((def.shape as Record<string, SchemaNode>)[String(seg)])];
      if (def?.type === 'union') return (def.options as SchemaNode[]).map(unwrap).flatMap((o) => (o?._zod?.def?.type === 'object' ? [unwrap((o._zod.def.shape as Record<string, SchemaNode>)[String(seg)])] : []));
      return [];
    });
  }
  const keys = nodes.flatMap((s) => {
    const def = s?._zod?.def;
    if (def?.type === 'object') return Object.keys(def.shape as object);
    if (def?.type === 'union') return (def.options as SchemaNode[]).flatMap((o) => (unwrap(o)?._zod?.def?.type === 'object' ? Object.keys(unwrap(o)!._zod!.def!.shape as object) : []));
    return [];
  });
  return [...new Set(keys)];
}

/** One line per problem; an unknown key becomes one line per key, pointing at that key. */
export function formatConfigError(err: z.ZodError): string[] {
  const lines: string[] = [];
  for (const issue of err.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(issue.path);
      for (const key of issue.keys) {
        const near = closestName(key, known);
        const hint = near ? `did you mean "${near}"?` : 'check the spelling; see examples/config.schema.json';
        lines.push(`${formatPath([...issue.path, key]) || '(top level)'}: unknown field (${hint})`);
      }
      continue;
    }
    lines.push(`${formatPath(issue.path) || '(top level)'}: ${describe(issue)}`);
  }
  return lines;
}

/** Validates parsed JSON (or any value) as a config; throws `ConfigError` listing every problem found. */
export function parseConfig(json: unknown, file?: string): Config {
  const result = configSchema.safeParse(json);
  if (!result.success) throw new ConfigError(formatConfigError(result.error), file);
  return result.data;
}
