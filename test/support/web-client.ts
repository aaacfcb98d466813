import { NestFastifyApplication } from '@nestjs/platform-fastify';

/** One page answer: status, headers, HTML. */
export interface WebAnswer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  html: string;
}

/**
 * A browser-like client of the web interface over Fastify's inject: keeps its cookies, posts
 * forms url-encoded, and reads the CSRF token from the last page it saw.
 */
export class WebClient {
  readonly cookies = new Map<string, string>();
  last: WebAnswer | null = null;

  constructor(
    private readonly app: NestFastifyApplication,
    private readonly headers: Record<string, string> = {},
  ) {}

  /** A client signed in through the form, on the page the sign-in leads to (with its token). */
  static async signedIn(
    app: NestFastifyApplication,
    user: { email: string; password: string },
    headers: Record<string, string> = {},
  ): Promise<WebClient> {
    const w = new WebClient(app, headers);
    await w.get('/web/sign-in');
    const answer = await w.post('/web/sign-in', { email: user.email, password: user.password });
    if (answer.status !== 303) throw new Error(`sign-in answered ${answer.status}`);
    await w.get(String(answer.headers.location));
    return w;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<WebAnswer> {
    return this.send('GET', url, undefined, headers);
  }

  /**
   * Posts a form; `_csrf` is the token of the last page unless the fields give one (or null). A
   * list is sent as the field repeated, as a browser sends checked checkboxes of one name.
   */
  async post(url: string, fields: Record<string, string | string[] | null>): Promise<WebAnswer> {
    const form = new URLSearchParams();
    const token = this.csrfToken();
    if (token && !('_csrf' in fields)) form.append('_csrf', token);
    for (const [k, v] of Object.entries(fields)) {
      for (const value of v === null ? [] : [v].flat()) form.append(k, value);
    }
    return this.send('POST', url, form.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  }

  csrfToken(): string | undefined {
    return /name="_csrf" value="([^"]+)"/.exec(this.last?.html ?? '')?.[1];
  }

  private async send(
    method: 'GET' | 'POST',
    url: string,
    payload: string | undefined,
    extra: Record<string, string>,
  ): Promise<WebAnswer> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await this.app.inject({
      method,
      url,
      payload,
      headers: { ...this.headers, ...extra, ...(cookie ? { cookie } : {}) },
    });
    for (const c of response.cookies as { name: string; value: string }[]) {
      if (c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const answer = { status: response.statusCode, headers: response.headers, html: response.body };
    if (method === 'GET' || answer.status !== 303) this.last = answer;
    return answer;
  }
}
