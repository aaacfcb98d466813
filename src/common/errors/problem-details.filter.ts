import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { currentRequest } from '../logging/request-context';
import { DomainError, FieldError } from './domain-error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  requestId?: string;
}

/**
 * Nest turns Fastify's own client errors (body parsing, size, media type) into plain
 * HttpExceptions, and our code throws DomainErrors, so a bare 4xx HttpException is one of these.
 * Their wording is ours: Fastify's messages can quote the request.
 */
const HTTP_DETAILS: Record<number, [code: string, detail: string]> = {
  400: ['malformed-request', 'The request body could not be read as JSON.'],
  401: ['unauthenticated', 'Valid credentials are required.'],
  404: ['not-found', 'No such resource.'],
  405: ['method-not-allowed', 'This method is not allowed here.'],
  413: ['payload-too-large', 'The request body is larger than this service accepts.'],
  415: ['unsupported-media-type', 'Send the request body as application/json.'],
};

const HTTP_TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  503: 'Service unavailable',
};

const typeUri = (code: string) => `urn:problem:escalation-tracker:${code}`;
const slug = (title: string) => title.toLowerCase().replace(/[^a-z]+/g, '-');

/** Everything that leaves the API as an error goes through here, as RFC 9457 problem details. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { problem, headers } = this.toProblem(exception);
    problem.requestId = currentRequest()?.requestId;
    if (reply.sent) return;
    void reply
      .status(problem.status)
      .headers(headers)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown): { problem: Problem; headers: Record<string, string> } {
    if (exception instanceof DomainError) {
      return {
        problem: {
          type: typeUri(exception.code),
          title: exception.title,
          status: exception.status,
          detail: exception.detail,
          ...(exception.errors ? { errors: exception.errors } : {}),
        },
        headers: exception.headers,
      };
    }
    const status =
      exception instanceof HttpException
        ? exception.getStatus()
        : (exception as { statusCode?: unknown })?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const title = HTTP_TITLES[status] ?? 'Request refused';
      const [code, detail] = HTTP_DETAILS[status] ?? [slug(title), `${title}.`];
      return {
        problem: { type: typeUri(code), title, status, detail },
        headers: status === 401 ? { 'www-authenticate': 'Bearer' } : {},
      };
    }
    if (exception instanceof QueryFailedError) {
      const code = (exception.driverError as { code?: string } | undefined)?.code;
      // A uniqueness race that a service's own check did not catch.
      if (code === '23505') {
        return {
          problem: {
            type: typeUri('conflict'),
            title: 'Conflict',
            status: 409,
            detail: 'This conflicts with an existing record.',
          },
          headers: {},
        };
      }
    }
    if (isConnectionFailure(exception)) {
      this.logger.error({ err: describeForLog(exception) }, 'dependency unavailable');
      return {
        problem: {
          type: typeUri('service-unavailable'),
          title: 'Service unavailable',
          status: 503,
          detail: 'A service this request needs is unavailable; try again shortly.',
        },
        headers: { 'retry-after': '5' },
      };
    }
    return this.internal(exception);
  }

  private internal(exception: unknown) {
    this.logger.error({ err: describeForLog(exception) }, 'unhandled error');
    return {
      problem: {
        type: typeUri('internal-error'),
        title: 'Internal error',
        status: 500,
        detail: 'Something went wrong on our side. The request id helps us find it.',
      },
      headers: {},
    };
  }
}

/**
 * What an unexpected error may put in the log. Database errors quote the values they refused in
 * their message and `detail` (`invalid input syntax ... "<value>"`), so for them only the name,
 * SQLSTATE, constraint and the stack frames (without the message line) are kept.
 */
export function describeForLog(exception: unknown) {
  if (!(exception instanceof Error)) return { type: typeof exception };
  const e = exception as Error & { code?: string; constraint?: string; driverError?: unknown };
  const fromDatabase =
    e.name === 'QueryFailedError' ||
    e.driverError !== undefined ||
    (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code));
  return {
    name: e.name,
    code: e.code,
    constraint: e.constraint,
    message: fromDatabase ? undefined : e.message,
    stack: fromDatabase ? e.stack?.split('\n').slice(1).join('\n') : e.stack,
  };
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '08006',
  '08001',
  '08003',
]);

function isConnectionFailure(exception: unknown): boolean {
  const e = exception as
    { code?: string; driverError?: { code?: string }; message?: string } | undefined;
  if (!e) return false;
  const code = e.code ?? e.driverError?.code;
  if (code && CONNECTION_CODES.has(code)) return true;
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED/i.test(
    e.message ?? '',
  );
}
