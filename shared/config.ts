// Configuration for each program: one zod object schema, read from a JSON file (SP_CONFIG) and
// SP_* environment variables, environment winning. Each top-level key `fooBar` is read from
// `SP_FOO_BAR`; numbers and booleans are converted from their text, objects and arrays are given
// as JSON. A bad value stops start-up with a message naming each bad key and what was expected.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const ENV_PREFIX = 'SP_';

/** `httpPort` → `SP_HTTP_PORT`. */
export function envName(key: string): string {
  return ENV_PREFIX + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

export interface ConfigProblem {
  /** The setting's key in the schema (`httpPort`). */
  readonly key: string;
  /** Where the bad value came from: `SP_HTTP_PORT` or the file's path, or `default`. */
  readonly source: string;
  readonly expected: string;
  /** The offending value as given, or `(secret)` for keys that hold secrets. */
  readonly got: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  - ${p.key} (from ${p.source}): ${p.expected}; got ${p.got}`).join('\n'),
    );
  }
}

export interface LoadConfigOptions {
  /** Defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A JSON file; defaults to `SP_CONFIG` from `env`. */
  readonly file?: string;
  /** Values that sit under the file and the environment (CLI flags go in `overrides`). */
  readonly defaults?: Readonly<Record<string, unknown>>;
  /** Values that win over the file and the environment (command-line flags). */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

const SECRET_KEY = /pass|secret|token|pin|puk|key|credential/i;

type Shape = Record<string, z.ZodType>;

export function loadConfig<S extends z.ZodObject<Shape>>(schema: S, options: LoadConfigOptions = {}): z.output<S> {
  const env = options.env ?? process.env;
  const file = options.file ?? env[`${ENV_PREFIX}CONFIG`];
  const problems: ConfigProblem[] = [];
  const sources = new Map<string, string>();
  const raw: Record<string, unknown> = { ...options.defaults };

  if (file) {
    const fromFile = readConfigFile(file, problems);
    for (const [key, value] of Object.entries(fromFile)) {
      if (!(key in schema.shape)) {
        problems.push({ key, source: file, expected: 'a known setting (this program does not have it)', got: show(key, value) });
        continue;
      }
      raw[key] = value;
      sources.set(key, file);
    }
  }

  for (const [key, field] of Object.entries(schema.shape)) {
    const name = envName(key);
    const text = env[name];
    if (text === undefined || text === '') continue;
    raw[key] = fromEnvText(text, baseKind(field));
    sources.set(key, name);
  }

  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value === undefined) continue;
    raw[key] = value;
    sources.set(key, 'the command line');
  }

  const result = schema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.map(String).join('.') || '(config)';
      const top = String(issue.path[0] ?? '');
      problems.push({
        key,
        source: sources.get(top) ?? (top in raw ? 'the defaults' : 'nowhere (it is required)'),
        expected: issue.message,
        got: top in raw ? show(top, raw[top]) : 'nothing',
      });
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

function readConfigFile(file: string, problems: ConfigProblem[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problems.push({ key: `${ENV_PREFIX}CONFIG`, source: 'the environment', expected: 'a readable JSON file', got: `${file} (${(error as Error).message})` });
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    problems.push({ key: '(file)', source: file, expected: 'a JSON object of settings', got: typeof parsed });
  } catch (error) {
    problems.push({ key: '(file)', source: file, expected: 'valid JSON', got: (error as Error).message });
  }
  return {};
}

type Kind = 'string' | 'number' | 'boolean' | 'json';

/** The type a field holds once optional/default/nullable wrappers are taken off. */
function baseKind(field: z.ZodType): Kind {
  let current: z.ZodType = field;
  for (let depth = 0; depth < 10; depth++) {
    const def = current.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    switch (def.type) {
      case 'optional':
      case 'default':
      case 'prefault':
      case 'nullable':
      case 'readonly':
      case 'catch':
        if (!def.innerType) return 'string';
        current = def.innerType;
        continue;
      case 'pipe':
        if (!def.in) return 'string';
        current = def.in;
        continue;
      case 'number':
      case 'int':
      case 'bigint':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'object':
      case 'array':
      case 'record':
      case 'tuple':
        return 'json';
      default:
        return 'string';
    }
  }
  return 'string';
}

function fromEnvText(text: string, kind: Kind): unknown {
  switch (kind) {
    case 'number': {
      const n = Number(text.trim());
      return text.trim() !== '' && Number.isFinite(n) ? n : text;
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(t)) return true;
      if (['0', 'false', 'no', 'off'].includes(t)) return false;
      return text;
    }
    case 'json':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    default:
      return text;
  }
}

function show(key: string, value: unknown): string {
  if (SECRET_KEY.test(key)) return '(secret, not shown)';
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
