import FindMyWay, { HTTPMethod } from 'find-my-way';
import type { FastifyInstance } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem-details.filter';

/** The methods an Allow header may list (OPTIONS stays Fastify's and CORS's: 404 when unknown). */
const METHODS: HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * A known path asked with a method it lacks answers 405 with `Allow` (RFC 9110, 15.5.6), not
 * 404: every route is noted as it is registered, in a router of its own, and a request Fastify
 * found no route for is looked up there under each other method. Register before any route.
 */
export function answerMethodNotAllowed(server: FastifyInstance): void {
  const known = FindMyWay({ ignoreTrailingSlash: false, caseSensitive: true });
  const noop = () => undefined;
  server.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (!METHODS.includes(method as HTTPMethod)) continue;
      if (known.hasRoute(method as HTTPMethod, route.url)) continue;
      known.on(method as HTTPMethod, route.url, noop);
    }
  });
  server.addHook('onRequest', (request, reply, done) => {
    if (!request.is404 || request.method === 'OPTIONS') return done();
    const path = request.url.split('?')[0];
    const allowed = METHODS.filter((m) => m !== request.method && known.find(m, path));
    if (allowed.length === 0) return done();
    void reply
      .code(405)
      .header('allow', allowed.join(', '))
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(
        JSON.stringify({
          type: 'urn:problem:escalation-tracker:method-not-allowed',
          title: 'Method not allowed',
          status: 405,
          detail: `This resource answers ${allowed.join(', ')}.`,
          requestId: request.id,
        }),
      );
  });
}
