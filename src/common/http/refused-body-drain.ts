import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface DrainBound {
  /** Most bytes read and thrown away per refused body. */
  bytes: number;
  /** Most time spent on it, in milliseconds. */
  ms: number;
}

/**
 * A lingering close, as nginx and Apache do it. When an answer goes out before its request's body
 * was read (a 413 decided on Content-Length, a body refused half-way, a 503 while closing), the
 * server would close the connection while the body still arrives: a client that sends the whole
 * body before reading (browsers uploading a file, Node's fetch) then gets a reset instead of the
 * answer. Here the rest of the body is read and thrown away, up to `bound`, and beyond the bound
 * the connection is closed at once. Otherwise the connection stays usable (Fastify's
 * `Connection: close` for such answers is dropped), unless `closeAfter()` (the server drains):
 * then the answer says `Connection: close`, the server half-closes once it is sent (so the
 * client never reuses the connection) and closes once the body is read.
 */
export function drainRefusedBodies(
  server: FastifyInstance,
  bound: DrainBound,
  closeAfter: () => boolean,
): void {
  server.addHook('onSend', (request, reply, payload, done) => {
    const raw = request.raw;
    // A real connection only (`inject` has none, and no notion of a body still arriving).
    if (raw.socket instanceof Socket && !raw.complete && !raw.destroyed && hasBody(raw)) {
      const close = closeAfter();
      if (close) {
        void reply.header('connection', 'close');
        halfCloseWhenAnswered(raw.socket);
      } else {
        reply.removeHeader('connection');
      }
      drain(raw, bound, close);
    }
    done(null, payload);
  });
}

const hasBody = (raw: IncomingMessage) =>
  raw.headers['content-length'] !== undefined || raw.headers['transfer-encoding'] !== undefined;

/**
 * Node ends a `Connection: close` answer with `socket.destroySoon()`: a FIN, then a full close
 * as soon as it is written, and the body still arriving then draws a reset. Here only the FIN:
 * `drain` closes the socket once the body is read (or the bound is reached).
 */
function halfCloseWhenAnswered(socket: Socket): void {
  socket.destroySoon = function (this: Socket) {
    if (this.writable) this.end();
  };
}

function drain(raw: IncomingMessage, bound: DrainBound, closeAfter: boolean): void {
  const socket = raw.socket;
  let read = 0;
  const stop = () => {
    clearTimeout(timer);
    raw.removeListener('data', count);
  };
  const giveUp = () => {
    stop();
    socket.destroy();
  };
  const count = (chunk: Buffer) => {
    read += chunk.length;
    if (read > bound.bytes) giveUp();
  };
  const timer = setTimeout(giveUp, bound.ms);
  timer.unref();
  raw.on('data', count);
  raw.once('end', () => {
    stop();
    if (!closeAfter) return;
    // Read whole; closed once the answer is out and the FIN sent, so nothing is cut.
    if (socket.writableFinished) socket.destroy();
    else socket.once('finish', () => socket.destroy());
  });
  socket.once('close', stop);
  raw.resume();
}
