/**
 * Every domain event, by name, with what it carries: ids and plain values, never titles,
 * summaries, names or addresses (handlers reload what they need; payloads may be logged by id).
 * To add an event: add it here and to EVENT_NAMES, emit it with `DomainEvents.emit` inside the
 * writer's transaction, and handle it with `@OnEvent` in the feature that reacts (always a
 * feature above the emitter, or the emitter itself).
 */
export interface EventMap {
  /**
   * A contact left their platform (`POST /v1/contacts/:id/departure`), emitted in the departure's
   * transaction. Cases flag the contact's open cases in it.
   */
  'contact.departed': { contactId: string; successorId: string | null; leftOn: string };
  /**
   * Cases whose response deadline started or moved (logged, imported, a timeline step). Deadlines
   * queue a job at each `dueAt` after the commit, and drop the job of `replaces` (the deadline it
   * moved from), so the worker finds the new deadline in PostgreSQL.
   */
  'case.deadline-changed': {
    deadlines: { caseId: string; dueAt: Date; replaces?: Date | null }[];
  };
  /**
   * A case that must leave the shared repository now: its consent to share was withdrawn, or
   * it moved to TLP:RED. Emitted in the change's transaction; patterns remove its record and
   * its counts in it, so no answer given after the commit counts the case.
   */
  'case.unshared': { caseId: string };
  /**
   * A case erased on request (alone or in its organisation's leaving), emitted in the erasure's
   * transaction: what holds copies of its content drops them in it (departure: the
   * organisation's stored archives).
   */
  'case.erased': { caseId: string; organizationId: string };
  /**
   * Every session of a user ended (password change, deactivation, "sign out everywhere"),
   * emitted in that transaction. With `revokeApiTokens`, auth revokes the user's API tokens in it.
   */
  'user.sessions-ended': { userId: string; revokeApiTokens: boolean };
  /**
   * A member reported that a channel is broken, silent or changed (`POST /v1/channel-incidents`),
   * emitted in the report's transaction. After the commit, notifications tell the working groups
   * that follow incidents (ChannelIncidentAlerts).
   */
  'channel-incident.reported': { incidentId: string; channelId: string };
}

export type EventName = keyof EventMap;

/** The names at run time (the boot check); the Record keeps it equal to the map's keys. */
const NAMES: Record<EventName, true> = {
  'contact.departed': true,
  'case.deadline-changed': true,
  'case.unshared': true,
  'case.erased': true,
  'user.sessions-ended': true,
  'channel-incident.reported': true,
};
export const EVENT_NAMES: readonly EventName[] = Object.keys(NAMES) as EventName[];

export const isEventName = (name: string): name is EventName =>
  Object.prototype.hasOwnProperty.call(NAMES, name);
