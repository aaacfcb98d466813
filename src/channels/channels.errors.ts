import { DomainError } from '../common/errors/domain-error';
import { IfMatch, ifMatchHolds } from '../common/http/if-match';

/** The If-Match version is not the current one: someone changed it meanwhile. */
export class StaleVersionError extends DomainError {
  constructor(what: string, current: number) {
    super(
      412,
      'version-mismatch',
      'Precondition failed',
      `The ${what} has changed since you read it (current version ${current}); read it again.`,
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

/** 428 without If-Match, 412 when it does not name `current`. */
export function requireVersion(what: string, ifMatch: IfMatch | undefined, current: number): void {
  if (ifMatch === undefined) throw new VersionRequiredError();
  if (!ifMatchHolds(ifMatch, current)) throw new StaleVersionError(what, current);
}
