import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { EntityManager } from 'typeorm';
import { TransactionRunner } from '../../database/transaction';
import { EventMap, EventName, isEventName } from './event-map';
import { EventHandlerMetadata, EventPhase, ON_EVENT } from './on-event.decorator';

interface BoundHandler {
  /** `Class.method`, for logs and errors. */
  name: string;
  call: (payload: unknown, em?: EntityManager) => Promise<void> | void;
}

type Registry = Map<EventName, Record<EventPhase, BoundHandler[]>>;

/**
 * Finds the `@OnEvent` handlers among these instances. Throws on a handler of a name the
 * EventMap does not have: a misspelt event would otherwise never be handled.
 */
export function collectHandlers(instances: Iterable<object>, scanner = new MetadataScanner()) {
  const registry: Registry = new Map();
  for (const instance of new Set(instances)) {
    const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
    for (const key of scanner.getAllMethodNames(prototype)) {
      const method = prototype[key] as (...args: unknown[]) => Promise<void> | void;
      const marks = Reflect.getMetadata(ON_EVENT, method) as EventHandlerMetadata[] | undefined;
      for (const { event, phase } of marks ?? []) {
        const name = `${instance.constructor.name}.${key}`;
        if (!isEventName(event)) throw new Error(`${name} handles unknown event ${event}`);
        const handlers = registry.get(event) ?? { 'in-transaction': [], 'after-commit': [] };
        handlers[phase].push({ name, call: method.bind(instance) });
        registry.set(event, handlers);
      }
    }
  }
  return registry;
}

/** The ids in a payload (fields named `…Id`/`…Ids`, one level down in arrays): for logs only. */
function idsOf(payload: unknown): Record<string, unknown> {
  const ids: Record<string, unknown> = {};
  const visit = (value: unknown, prefix: string) => {
    if (!value || typeof value !== 'object') return;
    for (const [k, v] of Object.entries(value)) {
      if (/Ids?$/.test(k)) ids[prefix + k] = v;
      else if (Array.isArray(v) && prefix === '') {
        ids[`${k}.ids`] = v.flatMap((x) => Object.values(idsOf(x)));
      }
    }
  };
  visit(payload, '');
  return ids;
}

/**
 * The domain event bus: `emit(em, name, payload)` inside a `TransactionRunner.run` runs the
 * in-transaction handlers now, with `em`, and the after-commit handlers once the outermost run
 * has committed. Handlers are methods marked `@OnEvent`, found among all providers at boot.
 */
@Injectable()
export class DomainEvents implements OnModuleInit {
  private readonly logger = new Logger(DomainEvents.name);
  private registry?: Registry;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly tx: TransactionRunner,
  ) {}

  onModuleInit(): void {
    this.handlers();
  }

  /** The handlers of each phase of `event`, by name (for the boot checks and tests). */
  handlersOf(event: EventName): Record<EventPhase, string[]> {
    const found = this.handlers().get(event);
    return {
      'in-transaction': found?.['in-transaction'].map((h) => h.name) ?? [],
      'after-commit': found?.['after-commit'].map((h) => h.name) ?? [],
    };
  }

  /**
   * Tells the features above that `event` happened in the transaction of `em`. Resolves when
   * the in-transaction handlers are done; their errors reach the caller (and roll back).
   */
  async emit<E extends EventName>(
    em: EntityManager,
    event: E,
    payload: EventMap[E],
  ): Promise<void> {
    const found = this.handlers().get(event);
    if (!found) return;
    for (const handler of found['in-transaction']) await handler.call(payload, em);
    const afterCommit = found['after-commit'];
    if (afterCommit.length === 0) return;
    await this.tx.afterCommit(em, async () => {
      for (const handler of afterCommit) {
        try {
          await handler.call(payload);
        } catch (error) {
          // Ids only: never the payload's values or the error's message (it may quote data).
          this.logger.error(
            { event, handler: handler.name, ...idsOf(payload), error: (error as Error)?.name },
            'after-commit handler failed',
          );
        }
      }
    });
  }

  private handlers(): Registry {
    this.registry ??= collectHandlers(
      this.discovery
        .getProviders()
        .filter((w) => w.isDependencyTreeStatic() && !w.isAlias)
        .map((w) => w.instance as unknown)
        .filter((i): i is object => !!i && typeof i === 'object'),
      this.scanner,
    );
    return this.registry;
  }
}
