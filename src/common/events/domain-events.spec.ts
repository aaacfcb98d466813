import { EntityManager } from 'typeorm';
import { collectHandlers } from './domain-events';
import { EVENT_NAMES, EventMap } from './event-map';
import { OnEvent } from './on-event.decorator';

class Cases {
  @OnEvent('contact.departed', 'in-transaction')
  async flag(_payload: EventMap['contact.departed'], _em: EntityManager): Promise<void> {}
}

class Deadlines {
  @OnEvent('case.deadline-changed', 'after-commit')
  @OnEvent('contact.departed', 'after-commit')
  queue(): void {}

  notAHandler(): void {}
}

class Misspelt {
  @OnEvent('case.deadline-chnaged' as 'case.deadline-changed', 'after-commit')
  queue(): void {}
}

describe('collectHandlers', () => {
  it('finds each marked method once per event and phase, whatever the number of instances', () => {
    const cases = new Cases();
    const registry = collectHandlers([cases, new Deadlines(), cases]);
    const names = (event: keyof EventMap) => {
      const found = registry.get(event)!;
      return {
        inTransaction: found['in-transaction'].map((h) => h.name),
        afterCommit: found['after-commit'].map((h) => h.name),
      };
    };
    expect(names('contact.departed')).toEqual({
      inTransaction: ['Cases.flag'],
      afterCommit: ['Deadlines.queue'],
    });
    expect(names('case.deadline-changed')).toEqual({
      inTransaction: [],
      afterCommit: ['Deadlines.queue'],
    });
  });

  it('refuses to boot with a handler of an event the map does not have', () => {
    expect(() => collectHandlers([new Cases(), new Misspelt()])).toThrow(
      'Misspelt.queue handles unknown event case.deadline-chnaged',
    );
  });

  it('knows every event of the map at run time', () => {
    expect([...EVENT_NAMES].sort()).toEqual([
      'case.deadline-changed',
      'case.erased',
      'case.unshared',
      'channel-incident.reported',
      'contact.departed',
      'user.sessions-ended',
    ]);
  });
});
