import { Role } from '../common/auth/actor';
import { ChannelAccessStatus } from '../platforms/channel-access.entity';

export interface AccessPeriod {
  countries: string[];
  since: string;
  until: string | null;
}

export interface AccessCorrection {
  countries?: string[];
  since?: string;
  until?: string | null;
  evidenceNote?: string | null;
  confirmedOn?: string | null;
  confirmedBy?: string | null;
}

/**
 * The status an access record has after a correction. A community admin's correction keeps the
 * status. An organisation's own change keeps an approval only when it can only narrow the
 * access: ending it (an `until` no later than before) or changing its evidence. Anything that
 * widens it (more countries, an earlier start, a later or no end) is a new claim, shown as
 * claimed until approved again: an approval cannot be stretched by the one it approved.
 */
export function statusAfterCorrection(
  role: Role,
  status: ChannelAccessStatus,
  current: AccessPeriod,
  change: AccessCorrection,
): ChannelAccessStatus {
  if (role === 'admin' || status !== 'approved') return status;
  const countriesWiden =
    change.countries !== undefined && change.countries.some((c) => !current.countries.includes(c));
  const startsEarlier = change.since !== undefined && change.since < current.since;
  const endsLater =
    change.until !== undefined &&
    current.until !== null &&
    (change.until === null || change.until > current.until);
  return countriesWiden || startsEarlier || endsLater ? 'claimed' : 'approved';
}

/** Refused and revoked records are closed: they are kept as history, never changed again. */
export const isClosed = (status: ChannelAccessStatus) =>
  status === 'refused' || status === 'revoked';
