/**
 * `npm run schema`: writes examples/config.schema.json, the JSON Schema of the config file, generated from the
 * zod schema so the two cannot disagree. Editors use it (`"$schema": "./config.schema.json"`) for completion
 * and red squiggles; the code itself validates with zod, which also runs the cross-field checks JSON Schema
 * cannot express (hard >= soft, real time zones, unique addresses). test/core/config.test.ts fails when the
 * committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { configSchema } from '../../lambdas/core/config';

export const CONFIG_SCHEMA_PATH = join(__dirname, '..', '..', 'examples', 'config.schema.json');

/** The schema text as committed: the input side (fields with defaults are optional), 2-space JSON, final newline. */
export function renderConfigSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify({ ...schema, title: 'security-intake configuration' }, null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(CONFIG_SCHEMA_PATH, renderConfigSchema());
  process.stdout.write(`wrote ${CONFIG_SCHEMA_PATH}\n`);
}
