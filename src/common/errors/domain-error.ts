export interface FieldError {
  field: string;
  message: string;
}

/**
 * A refusal the client can act on. Services throw these; `ProblemDetailsFilter` turns them into
 * `application/problem+json`. `code` is stable and becomes the problem `type`.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'DomainError';
  }
}

export class ValidationFailedError extends DomainError {
  constructor(errors: FieldError[], detail = 'The request is not valid.') {
    super(400, 'validation-failed', 'Invalid request', detail, errors);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(detail = 'Valid credentials are required.') {
    super(401, 'unauthenticated', 'Unauthenticated', detail, undefined, {
      'www-authenticate': 'Bearer',
    });
  }
}

export class ForbiddenError extends DomainError {
  constructor(detail = 'You are not allowed to do this.') {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}

/** Also used for things that exist but the caller may not see: their existence is not leaked. */
export class NotFoundError extends DomainError {
  constructor(what = 'resource') {
    super(404, 'not-found', 'Not found', `No such ${what}.`);
  }
}

export class ConflictError extends DomainError {
  constructor(detail: string, field?: string) {
    super(409, 'conflict', 'Conflict', detail, field ? [{ field, message: detail }] : undefined);
  }
}

export class TooManyRequestsError extends DomainError {
  constructor(retryAfterSeconds: number, detail = 'Too many attempts; try again later.') {
    super(429, 'too-many-requests', 'Too many requests', detail, undefined, {
      'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))),
    });
  }
}

export class ServiceUnavailableError extends DomainError {
  constructor(detail = 'A service this request needs is unavailable; try again shortly.') {
    super(503, 'service-unavailable', 'Service unavailable', detail, undefined, {
      'retry-after': '5',
    });
  }
}
