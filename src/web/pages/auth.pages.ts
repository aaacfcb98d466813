import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LoginDto } from '../../auth/dto/login.dto';
import { DomainError } from '../../common/errors/domain-error';
import { assertValid } from '../../common/validation/validation.pipe';
import { LANGUAGES } from '../../i18n/labels';
import type { WebDeps } from '../web';
import {
  formString,
  pageContext,
  render,
  seeOther,
  SESSION_COOKIE,
  setCookie,
  signedIn,
} from '../web-context';

/** Sign in (the API's own credential check, throttling, lockout and audit) and sign out. */
export function registerAuthPages(web: FastifyInstance, { services, cookie }: WebDeps): void {
  const { auth, sessions } = services;

  const signInPage = (
    request: FastifyRequest,
    extra: { email?: string; errorKey?: string; noticeKey?: string } = {},
  ) => {
    const page = pageContext(request, 'ui.signIn.title');
    return {
      ...page,
      languages: LANGUAGES,
      email: extra.email ?? '',
      error: extra.errorKey ? page.t(extra.errorKey) : undefined,
      notice: extra.noticeKey ? page.t(extra.noticeKey) : undefined,
    };
  };

  web.get('/', (_request, reply) => seeOther(reply, '/web/cases'));

  web.get('/sign-in', { config: { webPublic: true } }, (request, reply) => {
    if (request.web.signedIn) return seeOther(reply, '/web/cases');
    const query = request.query as Record<string, unknown>;
    return render(
      reply,
      'sign-in',
      signInPage(request, {
        noticeKey:
          query.signedOut === '1'
            ? 'ui.signIn.signedOut'
            : query.signedOut === 'everywhere'
              ? 'ui.signIn.signedOutEverywhere'
              : undefined,
      }),
    );
  });

  web.post('/sign-in', { config: { webPublic: true } }, async (request, reply) => {
    const email = formString(request.body, 'email') ?? '';
    const password = formString(request.body, 'password') ?? '';
    let userId: string;
    try {
      const dto = assertValid(LoginDto, { email, password });
      userId = (await auth.authenticate(dto, request.ip)).user.id;
    } catch (error) {
      if (!(error instanceof DomainError) || error.status >= 500) throw error;
      const errorKey = error.status === 429 ? 'ui.signIn.throttled' : 'ui.signIn.failed';
      return render(
        reply,
        'sign-in',
        signInPage(request, { email, errorKey }),
        error.status === 429 ? 429 : 401,
      );
    }
    // A new random id at every sign-in: nothing the browser held before becomes a session, and
    // a session it held (a sign-in form posted from a stale tab) ends.
    await sessions.end(request.web.sessionToken);
    const token = await sessions.start(userId);
    setCookie(reply, SESSION_COOKIE, token, cookie);
    return seeOther(reply, '/web/cases');
  });

  web.post('/sign-out', { config: { webSignOut: true } }, async (request, reply) => {
    await sessions.end(request.web.sessionToken);
    setCookie(reply, SESSION_COOKIE, '', cookie);
    return seeOther(reply, '/web/sign-in?signedOut=1');
  });

  /** Settings' "sign out everywhere": every session of the user ends, this one too. */
  web.post('/settings/sign-out-everywhere', async (request, reply) => {
    const { actor } = signedIn(request);
    await services.users.endSessions(
      actor,
      actor.userId,
      formString(request.body, 'revokeApiTokens') === 'on',
    );
    setCookie(reply, SESSION_COOKIE, '', cookie);
    return seeOther(reply, '/web/sign-in?signedOut=everywhere');
  });
}
