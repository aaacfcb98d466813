import { Writable } from 'node:stream';
import { createRootLogger, PinoNestLogger } from './logger';
import { requestContext } from './request-context';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      );
      done();
    },
  });
  return { lines, logger: createRootLogger('info', sink) };
}

describe('logger', () => {
  it('redacts secrets and personal data at the top level and one level down', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        password: 'hunter2hunter2',
        email: 'survivor@example.org',
        user: { token: 'etk_abc', phone: '+59170000000' },
        id: 'u-1',
      },
      'x',
    );
    expect(lines[0]).toMatchObject({
      password: '[redacted]',
      email: '[redacted]',
      user: { token: '[redacted]', phone: '[redacted]' },
      id: 'u-1',
    });
  });

  it('stamps the request id on every line written during a request', () => {
    const { lines, logger } = capture();
    const nest = new PinoNestLogger(logger);
    requestContext.run({ requestId: 'req-123456' }, () => nest.warn('inside', 'SomeService'));
    nest.log('outside', 'SomeService');
    expect(lines.map((l) => [l.msg, l.reqId, l.context])).toEqual([
      ['inside', 'req-123456', 'SomeService'],
      ['outside', undefined, 'SomeService'],
    ]);
  });
});
