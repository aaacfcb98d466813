import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { currentRequest } from './request-context';

/**
 * Keys whose values never reach a log sink, at the top level or one level down. Bodies and job
 * data are not logged at all; this list is the second line of defence.
 */
export const REDACTED_KEYS = [
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'accessToken',
  'secret',
  'authorization',
  'cookie',
  'email',
  'phone',
  'title',
  'summary',
  'notes',
  'note',
  'url',
  'value',
  'body',
];

export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'escalation-tracker' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' },
      // Every line written during a request carries its id.
      mixin: () => {
        const ctx = currentRequest();
        return ctx ? { reqId: ctx.requestId } : {};
      },
    },
    destination,
  );
}

const FRAMEWORK_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/** Nest's logger interface on top of pino, so framework and feature logs share one format. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  private write(
    level: 'info' | 'warn' | 'error' | 'debug' | 'trace',
    message: unknown,
    params: unknown[],
  ) {
    const context =
      typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const logger = context ? this.root.child({ context }) : this.root;
    const text = typeof params[0] === 'string' ? params[0] : undefined;
    if (message instanceof Error) {
      logger[level]({ err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      // Our own calls: logger.error({ err }, 'what happened').
      logger[level](message, text);
    } else {
      // Nest's calls: logger.error('message', stack, context).
      logger[level](level === 'error' && text ? { stack: text } : {}, String(message));
    }
  }

  log(message: unknown, ...params: unknown[]) {
    // Nest's start-up chatter (modules loaded, routes mapped) is debug-level for us.
    const context = params[params.length - 1];
    const framework = typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context);
    this.write(framework ? 'debug' : 'info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
}
