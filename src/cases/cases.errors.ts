import { DomainError } from '../common/errors/domain-error';

/** A timeline step the case's status does not allow; nothing is written. */
export class IllegalStepError extends DomainError {
  constructor(detail: string) {
    super(409, 'illegal-step', 'Illegal status step', detail, [{ field: 'type', message: detail }]);
  }
}

/** The If-Match version is not the case's current one: someone changed it meanwhile. */
export class VersionMismatchError extends DomainError {
  constructor(current: number) {
    super(
      412,
      'version-mismatch',
      'Precondition failed',
      `The case has changed since you read it (current version ${current}); read it again.`,
    );
  }
}

export class VersionRequiredError extends DomainError {
  constructor() {
    super(
      428,
      'version-required',
      'Precondition required',
      'Send If-Match with the version you read, so a concurrent change is not overwritten.',
    );
  }
}

/** The same Idempotency-Key was used before with a different body. */
export class IdempotencyKeyReusedError extends DomainError {
  constructor() {
    super(
      422,
      'idempotency-key-reused',
      'Idempotency key reused',
      'This Idempotency-Key was used for a different request; use a new key for a new case.',
    );
  }
}

/** The case was erased on request; those who could see it are told so (others get 404). */
export class CaseGoneError extends DomainError {
  constructor(reference: string, erasedAt: Date) {
    super(
      410,
      'gone',
      'Gone',
      `Case ${reference} was erased on ${erasedAt.toISOString().slice(0, 10)} on request; nothing of it is kept but this notice.`,
    );
  }
}
