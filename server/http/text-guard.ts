// No NUL (U+0000) in what a request carries: PostgreSQL's text cannot hold it, so a NUL in a
// name, a note or a query filter reached the database as a 500 (issue 11, found by
// test/fuzz/server/api.test.ts on PostgreSQL). Checked once for every route, after the access
// check and before the schemas, and refused as validation-failed naming where it was.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.js';

export const textGuardPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('preValidation', async (request) => {
      for (const [where, value] of [['body', request.body], ['querystring', request.query], ['params', request.params]] as const) {
        const path = nulAt(value);
        if (path === null) continue;
        const at = path || '(root)';
        throw new ApiError('validation-failed', `The ${where} holds a NUL character (U+0000) at ${at}; text may not contain it.`, {
          errors: [{ in: where, path: at, message: 'must not contain U+0000' }],
        });
      }
    });
  },
  { name: 'serviceplus-text-guard' },
);

/** The dotted path of the first string (value or key) holding a NUL, or null; iterative, so any depth is safe. */
export function nulAt(value: unknown): string | null {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0) {
    const [item, path] = stack.pop()!;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return path;
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) {
        const childPath = path === '' ? key : `${path}.${key}`;
        if (key.includes('\u0000')) return childPath;
        stack.push([child, childPath]);
      }
    }
  }
  return null;
}
