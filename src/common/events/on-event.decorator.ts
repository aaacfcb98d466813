import type { EntityManager } from 'typeorm';
import type { EventMap, EventName } from './event-map';

/**
 * `in-transaction`: runs inside the emitter's transaction with its manager, before `emit`
 * returns; an error rolls the whole write back. For what must commit with the change.
 * `after-commit`: runs once the transaction committed (never if it rolled back); an error is
 * logged with ids and undoes nothing. For queues, notifications, anything outside PostgreSQL.
 */
export type EventPhase = 'in-transaction' | 'after-commit';

export const ON_EVENT = 'domain-events:on-event';

export interface EventHandlerMetadata {
  event: string;
  phase: EventPhase;
}

/** What a handler of `E` in `P` looks like: in the transaction, it gets the manager. */
export type EventHandler<E extends EventName, P extends EventPhase> = P extends 'in-transaction'
  ? (payload: EventMap[E], em: EntityManager) => Promise<void>
  : (payload: EventMap[E]) => Promise<void> | void;

/**
 * Marks a provider's method as a handler of `event`; `DomainEvents` finds it at boot (and refuses
 * to start if the name is not in the EventMap). A method may handle several events.
 */
export function OnEvent<E extends EventName, P extends EventPhase>(event: E, phase: P) {
  return <H extends EventHandler<E, P>>(
    _target: object,
    _key: string | symbol,
    descriptor: TypedPropertyDescriptor<H>,
  ): void => {
    const method = descriptor.value as object;
    const previous = (Reflect.getMetadata(ON_EVENT, method) as EventHandlerMetadata[]) ?? [];
    Reflect.defineMetadata(ON_EVENT, [...previous, { event, phase }], method);
  };
}
