// The scenario acts like the people in it, over real HTTP: the customer logs in and asks for a
// boost, the NOC's demo panel drives the simulator.
export class HttpFailure extends Error {
  override readonly name = 'HttpFailure';
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    const detail = (body as { detail?: unknown } | null)?.detail;
    super(`${what}: HTTP ${status}${typeof detail === 'string' ? ` (${detail})` : ''}`);
  }
}

export interface ApiAnswer<T> {
  readonly status: number;
  readonly body: T;
}

export async function callApi<T = Record<string, unknown>>(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  request: { token?: string; body?: unknown; expect?: readonly number[]; signal?: AbortSignal } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = {};
  if (request.token) headers['authorization'] = `Bearer ${request.token}`;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(baseUrl + path, {
    method,
    headers,
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    signal: request.signal ?? AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = text;
  }
  const expected = request.expect ?? [200, 201];
  if (!expected.includes(response.status)) throw new HttpFailure(response.status, body, `${method} ${path}`);
  return { status: response.status, body: body as T };
}
