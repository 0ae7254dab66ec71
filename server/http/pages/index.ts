// The web pages: the customer's self-service page at `/` (R6: it must load quickly at the
// 128 kbit/s baseline, so plain HTML, CSS and a small script, no framework, nothing from other
// origins) and the NOC dashboard at `/noc`. The files sit beside this one, are read once at
// start, compressed once (brotli and gzip) and served with a strict Content-Security-Policy:
// same-origin scripts and styles only, no inline code, so the pages embed no secrets and no
// injected markup can run.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** What every page and asset is sent with. */
export const PAGE_SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
} as const;

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

/** Served under /assets/<name>; nothing else from this folder is reachable. */
const ASSETS = ['common.css', 'customer.css', 'customer.js', 'noc.css', 'noc.js', 'icon.svg'] as const;
const PAGES = { '/': 'customer.html', '/noc': 'noc.html' } as const;

interface Prepared {
  readonly type: string;
  readonly etag: string;
  readonly identity: Buffer;
  readonly br: Buffer;
  readonly gzip: Buffer;
}

function prepare(name: string): Prepared {
  const identity = readFileSync(new URL(name, import.meta.url));
  const extension = name.slice(name.lastIndexOf('.') + 1);
  const type = TYPES[extension];
  if (!type) throw new Error(`no content type for page asset ${name}`);
  return {
    type,
    etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}"`,
    identity,
    br: brotliCompressSync(identity, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
    gzip: gzipSync(identity, { level: 9 }),
  };
}

/** Picks the smallest encoding the client accepts (browsers send `br` over HTTPS only). */
function encodingFor(request: FastifyRequest): 'br' | 'gzip' | null {
  const accepted = String(request.headers['accept-encoding'] ?? '')
    .split(',')
    .map((part) => part.trim().split(';'))
    .filter(([, q]) => q === undefined || !/^q=0(\.0*)?$/.test(q.trim()))
    .map(([name]) => name?.toLowerCase());
  if (accepted.includes('br')) return 'br';
  if (accepted.includes('gzip')) return 'gzip';
  return null;
}

function send(request: FastifyRequest, reply: FastifyReply, file: Prepared): FastifyReply {
  reply.headers(PAGE_SECURITY_HEADERS);
  // Revalidate every time (a 304 costs a few hundred bytes): a new version is never missed.
  reply.header('cache-control', 'no-cache');
  reply.header('etag', file.etag);
  reply.header('vary', 'accept-encoding');
  reply.type(file.type);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  const encoding = encodingFor(request);
  if (encoding) reply.header('content-encoding', encoding);
  return reply.send(encoding === 'br' ? file.br : encoding === 'gzip' ? file.gzip : file.identity);
}

export const pageRoutes: FastifyPluginAsync = async (app) => {
  const assets = new Map(ASSETS.map((name) => [name, prepare(name)]));
  for (const [path, name] of Object.entries(PAGES)) {
    const page = prepare(name);
    app.get(path, { schema: { hide: true } }, async (request, reply) => send(request, reply, page));
  }
  app.get<{ Params: { name: string } }>('/assets/:name', { schema: { hide: true } }, async (request, reply) => {
    const asset = assets.get(request.params.name as (typeof ASSETS)[number]);
    if (!asset) return reply.callNotFound();
    return send(request, reply, asset);
  });
  // Browsers ask for it whatever the page says; answer without a body rather than a 404 problem.
  app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/assets/icon.svg', 301));
};

/** Sizes of what the pages are made of, for the report and tests: identity, gzip, brotli bytes. */
export function pageWeights(): Record<string, { identity: number; gzip: number; br: number }> {
  const names = [...Object.values(PAGES), ...ASSETS];
  return Object.fromEntries(
    names.map((name) => {
      const file = prepare(name);
      return [name, { identity: file.identity.length, gzip: file.gzip.length, br: file.br.length }];
    }),
  );
}
