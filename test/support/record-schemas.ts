/** The published JSON Schemas of OSV 1.6 and CVE JSON 5.0 (vendored: test/fixtures/schemas/SOURCES.md), compiled by ajv. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

const schema = (file: string) => JSON.parse(readFileSync(join(__dirname, '../fixtures/schemas', file), 'utf8'));

/** OSV schema 1.6.7 (JSON Schema draft 2020-12). */
export function osvValidator(): ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema('osv-schema-1.6.7.json'));
}

/** CVE JSON 5.0 bundled record schema (draft-07). */
export function cveValidator(): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema('cve-json-5.0-bundled.json'));
}

/** `{ valid: true, errors: null }` when the record passes: a failure shows ajv's errors in the diff. */
export function checked(validate: ValidateFunction, record: unknown): { valid: boolean; errors: unknown } {
  const valid = validate(record);
  return { valid, errors: validate.errors ?? null };
}
