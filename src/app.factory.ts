import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fastify as createFastify } from 'fastify';
import { INestApplicationContext, LoggerService, Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { isLimitedWrite } from './auth/write-rate-limit';
import { CASE_IMPORT_ROUTE } from './cases/case-import.controller';
import { IS_PUBLIC } from './common/auth/actor';
import { Clock } from './common/clock';
import { DOCS_PATH, registerHttpSecurity } from './common/http/http-security';
import { PROBLEM_CONTENT_TYPE } from './common/errors/problem-details.filter';
import { guardJsonBodies } from './common/http/json-body';
import {
  constrainFromValidation,
  OperationInputs,
  pipeSchema,
} from './common/http/openapi-constraints';
import { operationsOf, preciseOpenApi } from './common/http/openapi-document';
import { answerMethodNotAllowed } from './common/http/method-not-allowed';
import { drainRefusedBodies } from './common/http/refused-body-drain';
import { Lifecycle } from './common/lifecycle';
import { PinoNestLogger } from './common/logging/logger';
import { requestContext } from './common/logging/request-context';
import { AppConfig } from './config/app-config';
import { registerWeb } from './web/web';
import { WebDependencies } from './web/web-dependencies';

export interface CreateAppOptions {
  config: AppConfig;
  logger: Logger;
  clock?: Clock;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * At shutdown, after the drain: answering 503 before the listener closes, then again before the
 * connections without a request in progress are dropped.
 */
const CLOSE_GRACE_MS = 500;

/** The HTTP application (APP_ROLE=api|all): Fastify, problem+json errors, request ids, OpenAPI. */
export async function createHttpApp({
  config,
  logger,
  clock,
}: CreateAppOptions): Promise<NestFastifyApplication> {
  // Our own fastify (the top-level dependency, kept patched), not the adapter's: Nest 11 pins an
  // older fastify 5 with known advisories (see SECURITY.md, "Dependency audit"). The adapter
  // adds a route constraint only for header or media-type API versioning, which we do not use.
  const server = createFastify({
    bodyLimit: config.http.bodyLimit,
    trustProxy: config.http.trustProxy,
    // Our own request log below: route template only, never the raw URL with its query.
    logger: false,
    genReqId: (req: IncomingMessage) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    // Requests that still arrive while the server closes get our 503 problem+json (below).
    return503OnClosing: false,
  });
  const adapter = new FastifyAdapter(
    server as unknown as ConstructorParameters<typeof FastifyAdapter>[0],
  );
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRole(config, clock),
    adapter,
    {
      logger: new PinoNestLogger(logger) as LoggerService,
      // Fastify's own JSON parser only: Nest would add form bodies too.
      bodyParser: false,
    },
  );
  // The same instance as `server`, typed by the adapter's copy of fastify.
  const fastify = app.getHttpAdapter().getInstance();
  // First, so that every route registered below (the docs included) is covered.
  await registerHttpSecurity(server, {
    hsts: config.http.hsts,
    corsOrigins: config.http.corsOrigins,
  });

  // Only JSON bodies: anything else is 415 (imports add their own parsers later).
  server.removeContentTypeParser(['text/plain']);
  guardJsonBodies(server);
  // CSV only for the import, which alone may be larger than BODY_LIMIT_BYTES; elsewhere 415.
  fastify.addHook('onRoute', (route) => {
    if (route.url === CASE_IMPORT_ROUTE) route.bodyLimit = config.http.importBodyLimit;
  });
  fastify.addContentTypeParser('text/csv', { parseAs: 'buffer' }, (request, body, done) => {
    if (request.routeOptions.url === CASE_IMPORT_ROUTE) done(null, body);
    else done(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 }), undefined);
  });

  // SIGTERM first drains (main.ts): every answer closes its connection and readiness says 503,
  // so the load balancer stops sending here. Then, while closing, in-flight requests finish; a
  // request arriving on a kept-alive connection meanwhile is turned away at once.
  const lifecycle = app.get(Lifecycle);
  server.addHook('preClose', async () => {
    lifecycle.close();
    const listener = server.server;
    if (!listener.listening) return;
    // A moment still listening, every request answered 503 with Retry-After (see onRequest):
    // clients still connecting get an answer and back off. Closing the listener resets the
    // connections the kernel has accepted but Node has not yet; Node's http close then drops
    // the connections without a request in progress. Both met requests already on their way
    // (ECONNRESET in the fault suite, right at the close).
    await sleep(CLOSE_GRACE_MS);
    Server.prototype.close.call(listener);
    await sleep(CLOSE_GRACE_MS);
  });
  server.addHook('onSend', (_request, reply, payload, done) => {
    if (lifecycle.draining) void reply.header('connection', 'close');
    done(null, payload);
  });
  drainRefusedBodies(server, config.http.refusedBodyDrain, () => lifecycle.draining);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    if (lifecycle.closing) {
      void reply
        .code(503)
        .headers({ connection: 'close', 'retry-after': '1', 'cache-control': 'no-store' })
        .type(PROBLEM_CONTENT_TYPE)
        .send(
          JSON.stringify({
            type: 'urn:problem:escalation-tracker:service-unavailable',
            title: 'Service unavailable',
            status: 503,
            detail: 'This instance is shutting down; try again.',
            requestId: request.id,
          }),
        );
      return;
    }
    requestContext.run({ requestId: request.id, ip: request.ip }, done);
  });
  answerMethodNotAllowed(server);
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    logger[status >= 500 ? 'error' : 'info'](
      {
        reqId: request.id,
        method: request.method,
        route: request.routeOptions.url ?? '(unmatched)',
        status,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
    done();
  });

  await registerWeb(server, app.get(WebDependencies));
  SwaggerModule.setup(DOCS_PATH.slice(1), app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
  });
  await app.init();
  await fastify.ready();
  return app;
}

/** Background workers only (APP_ROLE=worker): no HTTP server. */
export async function createWorkerContext({
  config,
  logger,
  clock,
}: CreateAppOptions): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(AppModule.forRole(config, clock), {
    logger: new PinoNestLogger(logger) as LoggerService,
  });
  return app;
}

interface Handler {
  controller: Type;
  name: string;
  method: object;
}

/** Every route handler, by its operation id (as operationIdFactory names them). */
function handlersByOperationId(app: NestFastifyApplication): Map<string, Handler> {
  const scanner = new MetadataScanner();
  const handlers = new Map<string, Handler>();
  for (const wrapper of app.get(DiscoveryService).getControllers()) {
    const controller = wrapper.metatype;
    const prototype = controller?.prototype as Record<string, unknown> | undefined;
    if (!controller || !prototype) continue;
    for (const name of scanner.getAllMethodNames(prototype)) {
      handlers.set(`${controller.name.replace(/Controller$/, '')}_${name}`, {
        controller: controller as Type,
        name,
        method: prototype[name] as object,
      });
    }
  }
  return handlers;
}

// Nest's own keys for @Body/@Query/@Param (RouteParamtypes, not exported from @nestjs/common).
const ROUTE_ARGS = '__routeArguments__';
const [BODY, QUERY, PARAM] = [3, 4, 5];

/** What validates a handler's body, query and path parameters. */
function inputsOf(handler: Handler): OperationInputs {
  const args = (Reflect.getMetadata(ROUTE_ARGS, handler.controller, handler.name) ?? {}) as Record<
    string,
    { index: number; data?: string; pipes?: unknown[] }
  >;
  const types = (Reflect.getMetadata(
    'design:paramtypes',
    handler.controller.prototype as object,
    handler.name,
  ) ?? []) as Type[];
  const inputs: OperationInputs = { path: {} };
  for (const [key, arg] of Object.entries(args)) {
    const kind = Number(key.split(':')[0]);
    if (kind === BODY && !arg.data) inputs.body = types[arg.index];
    if (kind === QUERY && !arg.data) inputs.query = types[arg.index];
    if (kind === PARAM && arg.data) {
      const schema = pipeSchema(arg.pipes);
      if (schema) inputs.path[arg.data] = schema;
    }
  }
  return inputs;
}

export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Escalation Tracker API')
      .setDescription(
        'Shared escalation tracker for feminist helplines. Errors are application/problem+json (RFC 9457); ' +
          'lists answer {data, nextCursor}; authenticate with a Bearer access token or personal API token.',
      )
      .setVersion('1')
      .setLicense('AGPL-3.0-or-later', 'https://www.gnu.org/licenses/agpl-3.0.html')
      .addServer(app.get(AppConfig).publicBaseUrl || '/')
      .addBearerAuth()
      .addTag('health', 'Readiness and liveness, for load balancers and orchestrators.')
      .addTag('auth', 'Signing in, access tokens and personal API tokens.')
      .addTag('organizations', 'The helplines of the community.')
      .addTag('users', 'People of an organisation, their roles and sessions.')
      .addTag('platforms', 'Platforms, their reporting channels and who may use which channel.')
      .addTag('contacts', 'People at the platforms, their tenures and turnover.')
      .addTag(
        'cases',
        'Escalations, their timeline, deadlines, evidence and exports (shared by TLP).',
      )
      .addTag(
        'indicators',
        'Whether other helplines logged the same traces of an attacker (protected counts).',
      )
      .addTag(
        'patterns',
        'The shared, anonymised repository: trends, scorecard, emerging patterns and campaigns.',
      )
      .addTag('reports', 'Exports and reports, built in the background.')
      .addTag('webhooks', "An organisation's webhooks and their deliveries.")
      .addTag('calendar', 'Calendar feeds of deadlines, for calendar applications.')
      .addTag('audit', 'The audit trail.')
      .addTag('channel-access', 'The trusted-partner registry: who may use which channel, where.')
      .addTag('channel-incidents', 'Channels broken, silent or changed, as members report them.')
      .addTag('retention', "How long an organisation's closed cases keep their content.")
      .addTag('working groups', 'Named groups of members from several organisations.')
      .addTag('meetings', "Community meetings, in everyone's calendar and time zone.")
      .addTag('admin', 'Community administration: queues and jobs.')
      .build(),
    {
      operationIdFactory: (controllerKey, methodKey) =>
        `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
    },
  );
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      Problem: {
        type: 'object',
        required: ['type', 'title', 'status'],
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          requestId: { type: 'string' },
          errors: {
            type: 'array',
            items: {
              type: 'object',
              properties: { field: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
      },
    },
  };
  // Every write may meet the per-user rate limit (WriteRateLimitGuard), declared once here.
  for (const { path, method, operation } of operationsOf(document)) {
    const route = path.replace(/\{(\w+)\}/g, ':$1');
    if (!isLimitedWrite(method.toUpperCase(), route) || operation.responses['429']) continue;
    operation.responses['429'] = {
      description: 'Too many changes in a minute (WRITE_RATE_LIMIT_PER_MINUTE); see Retry-After',
      content: {
        'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
      },
    };
  }
  document.security = [{ bearer: [] }];
  // Routes marked @Public() need no token: say so on their operations.
  const handlers = handlersByOperationId(app);
  for (const { operation } of operationsOf(document)) {
    const handler = handlers.get(operation.operationId ?? '');
    if (handler && Reflect.getMetadata(IS_PUBLIC, handler.method) === true) operation.security = [];
  }
  constrainFromValidation(document, (operationId) => {
    const handler = handlers.get(operationId);
    return handler && inputsOf(handler);
  });
  preciseOpenApi(document);
  return document;
}
