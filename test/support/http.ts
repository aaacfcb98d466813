import { NestFastifyApplication } from '@nestjs/platform-fastify';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** A raw payload sent as is (for malformed JSON and media-type tests). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** The client address Fastify sees (default 127.0.0.1). */
  ip?: string;
}

/** One request through Fastify's inject (no socket), answer parsed when it is JSON. */
export async function call<T = Record<string, unknown>>(
  app: NestFastifyApplication,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'OPTIONS',
  url: string,
  options: RequestOptions = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let payload: string | Buffer | undefined = options.raw;
  if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await app.inject({
    method,
    url,
    headers,
    payload,
    query: options.query,
    remoteAddress: options.ip,
  });
  const type = String(response.headers['content-type'] ?? '');
  const body = (
    type.includes('json') && response.body ? JSON.parse(response.body) : undefined
  ) as T;
  return { status: response.statusCode, headers: response.headers, body, text: response.body };
}

/** Asserts an RFC 9457 answer with the given status and answers its body. */
export function expectProblem(answer: Answer<unknown>, status: number): Record<string, unknown> {
  expect({ status: answer.status, type: answer.headers['content-type'] }).toEqual({
    status,
    type: 'application/problem+json; charset=utf-8',
  });
  expect(answer.body).toMatchObject({
    status,
    type: expect.stringMatching(/^urn:problem:escalation-tracker:/),
    title: expect.any(String),
  });
  return answer.body as Record<string, unknown>;
}

/** The `field`s named in a 400 problem's `errors`. */
export function fieldsOf(answer: Answer): string[] {
  expectProblem(answer, 400);
  return ((answer.body.errors as { field: string }[]) ?? []).map((e) => e.field).sort();
}
