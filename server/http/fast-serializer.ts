// A compiled response serializer for hot routes (issue 9, bench/api.ts). The app serializes
// answers through fastify-type-provider-zod: zod parses every answer against the response
// schema, then JSON.stringify — about a tenth of the device status route's time. The device
// status route keeps its zod response schema (the OpenAPI document and the types come from it)
// but writes its answers with `compileSerializer`: fast-json-stringify, Fastify's own
// serializer, compiled once at start-up from the zod schema's JSON Schema.
//
// What changes: the answer is no longer validated on the way out. fast-json-stringify writes
// the declared properties only, in schema order, and throws when a required one is missing
// (a 500, as zod's refusal was); a value of the wrong type is coerced instead of refused, so the
// routes that use this must build their answers from typed views (server/services/views.ts),
// and test/server/http/fast-serializer.test.ts checks the bytes equal the zod serializer's.
// Error answers (problem documents, `.loose()`) keep the zod serializer.
import fastJson from 'fast-json-stringify';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

/** fast-json-stringify for what `schema` outputs; throws at start-up if it cannot be expressed. */
export function compileSerializer(schema: z.ZodType): (data: unknown) => string {
  const jsonSchema = z.toJSONSchema(schema, { io: 'output', target: 'draft-7' }) as JsonSchema;
  delete jsonSchema['$schema'];
  return fastJson(fastForm(jsonSchema) as Parameters<typeof fastJson>[0]) as (data: unknown) => string;
}

/**
 * The JSON Schema in the form fast-json-stringify writes fastest. zod writes `.nullable()` as
 * `anyOf: [X, { type: 'null' }]` (or `type: ['string', 'null']`); fast-json-stringify serializes
 * an anyOf by validating the value against each branch with Ajv on every call, while
 * `{ ...X, nullable: true }` means the same to it and is a plain null check.
 */
export function fastForm(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(fastForm);
  if (schema === null || typeof schema !== 'object') return schema;
  const node = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, fastForm(value)])) as JsonSchema;
  const anyOf = node['anyOf'];
  if (Array.isArray(anyOf) && anyOf.length === 2 && Object.keys(node).every((key) => key === 'anyOf' || key === 'description')) {
    const nullIndex = anyOf.findIndex(isNullType);
    if (nullIndex !== -1) {
      const { anyOf: _anyOf, ...rest } = node;
      return { ...rest, ...(anyOf[1 - nullIndex] as JsonSchema), nullable: true };
    }
  }
  if (isRecordOfAnything(node)) {
    // `z.record(z.string(), z.unknown())` (an event's details): fast-json-stringify would write
    // it key by key, each value through JSON.stringify; one JSON.stringify of the whole is the same text.
    const { type: _type, propertyNames: _names, additionalProperties: _values, ...rest } = node;
    return rest;
  }
  const type = node['type'];
  if (Array.isArray(type) && type.length === 2 && type.includes('null')) {
    return { ...node, type: type.find((t) => t !== 'null'), nullable: true };
  }
  return node;
}

function isRecordOfAnything(node: JsonSchema): boolean {
  const names = node['propertyNames'] as JsonSchema | undefined;
  const values = node['additionalProperties'];
  return (
    node['type'] === 'object' &&
    node['properties'] === undefined &&
    (names === undefined || (names['type'] === 'string' && Object.keys(names).length === 1)) &&
    typeof values === 'object' &&
    values !== null &&
    Object.keys(values).length === 0
  );
}

function isNullType(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && (schema as JsonSchema)['type'] === 'null' && Object.keys(schema).length === 1;
}
