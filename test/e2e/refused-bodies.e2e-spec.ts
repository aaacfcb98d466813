import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect, Socket } from 'node:net';
import { join } from 'node:path';
import { Lifecycle } from '../../src/common/lifecycle';
import { createOrganization, createUser, TestUser } from '../factories/community.factory';
import { createTestApp, TestApp } from '../support/test-app';

const MiB = 1024 * 1024;
/** The drain bound of this file's app: above the 25 MiB CSV, below the body that must be cut. */
const DRAIN_BYTES = 40 * MiB;
const TRIES = 20;
const DRAIN_SECONDS = 2;

/**
 * Refused bodies over real sockets (not `inject`): a client that sends its whole body before it
 * reads, as browsers uploading a file and Node's fetch do, reads the 413 every time; the server
 * reads and throws away the rest of the body up to REFUSED_BODY_DRAIN_BYTES, keeps the
 * connection usable, and closes it beyond the bound.
 */
describe('refused bodies reach the client (lingering close, e2e over TCP)', () => {
  let t: TestApp;
  let base: string;
  let port: number;
  let member: TestUser;

  beforeAll(async () => {
    t = await createTestApp({
      REFUSED_BODY_DRAIN_BYTES: String(DRAIN_BYTES),
      REFUSED_BODY_DRAIN_SECONDS: String(DRAIN_SECONDS),
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.getHttpServer().address() as { port: number }).port;
    base = `http://127.0.0.1:${port}`;
    member = await createUser(t.app, (await createOrganization(t.app)).id, 'member');
  });
  afterAll(() => t.close());

  /**
   * `TRIES` uploads of `size` bytes by Node's fetch in a process of its own (in this process,
   * client and server would share one event loop, and the server could never close before the
   * client wrote): what each try read.
   */
  async function uploads(
    path: string,
    contentType: string,
    size: number,
    headers: Record<string, string> = { authorization: `Bearer ${member.token}` },
  ): Promise<string[]> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(__dirname, '../support/upload-client.mjs'),
        `${base}${path}`,
        contentType,
        String(size),
        String(TRIES),
        ...Object.entries(headers).map(([name, value]) => `${name}=${value}`),
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    return JSON.parse(stdout) as string[];
  }

  it(`answers a 3 MB JSON case 413 problem+json, ${TRIES} times out of ${TRIES} with fetch`, async () => {
    expect(await uploads('/v1/cases', 'application/json', 3_000_000)).toEqual(
      Array(TRIES).fill('413 application/problem+json; charset=utf-8 true'),
    );
  });

  it(`answers a 25 MiB CSV import 413 problem+json, ${TRIES} times out of ${TRIES} with fetch`, async () => {
    expect(await uploads('/v1/cases/import', 'text/csv', 25 * MiB)).toEqual(
      Array(TRIES).fill('413 application/problem+json; charset=utf-8 true'),
    );
  });

  it(`answers a form too large under /web with its HTML error page, ${TRIES} times out of ${TRIES} with fetch`, async () => {
    expect(
      await uploads('/web/sign-in', 'application/x-www-form-urlencoded', 3 * MiB, {
        'accept-language': 'es',
      }),
    ).toEqual(Array(TRIES).fill('413 text/html; charset=utf-8 true'));
  });

  it('answers a form too large under /web with the HTML error page in the reader’s language', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await fetch(`${base}/web/sign-in`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'accept-language': 'es',
        },
        body: `email=a%40b.org&password=${'x'.repeat(3 * MiB)}`,
      });
      const html = await answer.text();
      seen.push(`${answer.status} ${answer.headers.get('content-type')}`);
      expect(html).toContain('lang="es"');
      expect(html).toContain('Demasiado grande');
    }
    expect(seen).toEqual(Array(5).fill('413 text/html; charset=utf-8'));
  });

  /** A raw HTTP/1.1 exchange: what the server wrote, and whether it closed the socket. */
  function rawRequest(socket: Socket, head: string): void {
    socket.write(`${head}\r\n`);
  }

  it('keeps the connection usable once the refused body is read: the next request on it is answered', async () => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise((resolve) => socket.once('connect', resolve));
    const size = 3 * MiB;
    rawRequest(
      socket,
      `POST /v1/cases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${size}\r\n`,
    );
    const chunk = Buffer.alloc(64 * 1024, 'a');
    for (let sent = 0; sent < size; sent += chunk.length) {
      if (!socket.write(chunk.subarray(0, Math.min(chunk.length, size - sent)))) {
        await new Promise((resolve) => socket.once('drain', resolve));
      }
    }
    rawRequest(socket, 'GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n');
    await closed;
    // Answers follow one another on the wire (a body, then the next status line).
    const answers = received.match(/HTTP\/1\.1 \d{3}/g);
    expect(answers).toEqual(['HTTP/1.1 413', 'HTTP/1.1 200']);
    expect(received).toContain('"status":413');
    expect(received).toContain('{"status":"ok"}');
  });

  it('closes the connection beyond REFUSED_BODY_DRAIN_BYTES, after the 413 went out', async () => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    let closed = false;
    const closing = new Promise<void>((resolve) =>
      socket.once('close', () => {
        closed = true;
        resolve();
      }),
    );
    await new Promise((resolve) => socket.once('connect', resolve));
    const size = 200 * MiB;
    rawRequest(
      socket,
      `POST /v1/cases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${size}\r\n`,
    );
    const chunk = Buffer.alloc(256 * 1024, 'a');
    let sent = 0;
    while (!closed && sent < size) {
      sent += chunk.length;
      if (!socket.write(chunk)) {
        await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closing]);
      }
    }
    await closing;
    expect(received).toMatch(/^HTTP\/1\.1 413/);
    // Cut once the bound was read: far from the whole body.
    expect(sent).toBeGreaterThanOrEqual(DRAIN_BYTES);
    expect(sent).toBeLessThan(size);
  });

  it('closes the connection after REFUSED_BODY_DRAIN_SECONDS when the rest of the body never comes', async () => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    const closed = new Promise<number>((resolve) =>
      socket.once('close', () => resolve(performance.now())),
    );
    await new Promise((resolve) => socket.once('connect', resolve));
    rawRequest(
      socket,
      `POST /v1/cases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${10 * MiB}\r\n`,
    );
    socket.write(Buffer.alloc(MiB, 'a'));
    const sent = performance.now();
    // The client stalls: nothing more is sent.
    const elapsed = (await closed) - sent;
    expect(received).toMatch(/^HTTP\/1\.1 413/);
    expect(elapsed).toBeGreaterThan(DRAIN_SECONDS * 1000 - 250);
    expect(elapsed).toBeLessThan(DRAIN_SECONDS * 1000 + 3000);
  });

  // Last: the app stays draining.
  it('drains on SIGTERM: readiness 503 draining, every answer closes its connection, requests still served', async () => {
    t.app.get(Lifecycle).drain();
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(503);
    expect(health.headers.get('connection')).toBe('close');
    expect(await health.json()).toMatchObject({ status: 'draining' });
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    expect(live.headers.get('connection')).toBe('close');
    const cases = await fetch(`${base}/v1/cases`, {
      headers: { authorization: `Bearer ${member.token}` },
    });
    expect(cases.status).toBe(200);
    expect(cases.headers.get('connection')).toBe('close');
    // A refused body is still read whole before the connection closes.
    expect(await uploads('/v1/cases', 'application/json', 3_000_000)).toEqual(
      Array(TRIES).fill('413 application/problem+json; charset=utf-8 true'),
    );
  });
});
