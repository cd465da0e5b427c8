/**
 * A small checker for the JSON Schema subset the document uses (type, const, enum,
 * properties/required/additionalProperties, items, anyOf/oneOf, $ref to components,
 * minimum/maximum, minLength/maxLength, pattern, format uuid/date-time). It returns every
 * problem with the JSON path where it is, so a contract test can say what drifted.
 * Keywords it does not know are ignored (they only describe; they never reject).
 */
type Schema = Record<string, any>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FORMATS: Record<string, (s: string) => boolean> = {
  uuid: (s) => UUID.test(s),
  'date-time': (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
};

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(actual: string, wanted: string): boolean {
  return actual === wanted || (wanted === 'number' && actual === 'integer');
}

/** Problems of `value` against `schema`; refs resolve inside `doc` (the OpenAPI document). */
export function checkSchema(doc: Schema, schema: Schema, value: unknown, path = '$'): string[] {
  if (schema.$ref) {
    const target = String(schema.$ref)
      .replace(/^#\//, '')
      .split('/')
      .reduce<any>((node, key) => node?.[key], doc);
    if (!target) return [`${path}: unresolved ${schema.$ref}`];
    return checkSchema(doc, target, value, path);
  }
  const problems: string[] = [];
  const t = typeOf(value);
  if (schema.type !== undefined) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((w) => typeMatches(t, w))) return [`${path}: expected ${types.join('|')}, got ${t}`];
  }
  if ('const' in schema && value !== schema.const) problems.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${path}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (!schema[key]) continue;
    const matches = (schema[key] as Schema[]).filter((s) => checkSchema(doc, s, value, path).length === 0).length;
    if (matches === 0) problems.push(`${path}: matches none of ${key}`);
    if (key === 'oneOf' && matches > 1) problems.push(`${path}: matches ${matches} of oneOf`);
  }
  if (t === 'string') {
    const s = value as string;
    if (schema.minLength !== undefined && s.length < schema.minLength) problems.push(`${path}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && s.length > schema.maxLength) problems.push(`${path}: longer than ${schema.maxLength}`);
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(s)) problems.push(`${path}: does not match ${schema.pattern}`);
    if (schema.format && FORMATS[schema.format] && !FORMATS[schema.format](s)) problems.push(`${path}: not a ${schema.format}`);
  }
  if (t === 'integer' || t === 'number') {
    const n = value as number;
    if (schema.minimum !== undefined && n < schema.minimum) problems.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && n > schema.maximum) problems.push(`${path}: above ${schema.maximum}`);
  }
  if (t === 'array') {
    const a = value as unknown[];
    if (schema.minItems !== undefined && a.length < schema.minItems) problems.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.items) a.forEach((item, i) => problems.push(...checkSchema(doc, schema.items, item, `${path}[${i}]`)));
  }
  if (t === 'object') {
    const o = value as Record<string, unknown>;
    const props: Record<string, Schema> = schema.properties ?? {};
    for (const key of schema.required ?? []) if (!(key in o)) problems.push(`${path}: missing ${key}`);
    for (const [key, v] of Object.entries(o)) {
      if (props[key]) problems.push(...checkSchema(doc, props[key], v, `${path}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: undocumented property ${key}`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        problems.push(...checkSchema(doc, schema.additionalProperties, v, `${path}.${key}`));
      }
    }
  }
  return problems;
}
