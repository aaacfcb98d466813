import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import { UserEntity } from '../users/user.entity';
import { WebSessionsRepository } from './web-sessions.repository';

/** A session ends this long after sign-in, whatever the activity. */
export const SESSION_MAX_MS = 12 * 3_600_000;
/** ... or after this long without a request. */
export const SESSION_IDLE_MS = 60 * 60_000;
/** lastSeenAt is written at most this often (one UPDATE a minute, not one per page). */
const TOUCH_EVERY_MS = 60_000;

export const hashSessionToken = (token: string) =>
  createHash('sha256').update(token, 'utf8').digest('hex');

export interface WebSignedIn {
  actor: Actor;
  user: Pick<UserEntity, 'id' | 'displayName' | 'language' | 'timezone' | 'organizationId'>;
}

/** Server-side sessions of the web interface (the cookie holds only a random id). */
@Injectable()
export class WebSessionsService {
  constructor(
    private readonly sessions: WebSessionsRepository,
    private readonly clock: Clock,
  ) {}

  /** Starts a session for a user the auth service has just authenticated; answers the cookie value. */
  async start(userId: string): Promise<string> {
    const now = this.clock.now();
    const token = randomBytes(32).toString('base64url');
    await this.sessions.deleteUnusable(now, new Date(now.getTime() - SESSION_IDLE_MS));
    await this.sessions.insert({
      userId,
      tokenHash: hashSessionToken(token),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + SESSION_MAX_MS),
    });
    return token;
  }

  /**
   * Who holds this cookie value, or null: unknown, expired, idle too long, or a user who is no
   * longer active (refused on every request, as the API refuses their tokens). An expired
   * session is deleted.
   */
  async resolve(token: string | undefined): Promise<WebSignedIn | null> {
    if (!token || token.length > 100) return null;
    const session = await this.sessions.findByHash(hashSessionToken(token));
    if (!session) return null;
    const now = this.clock.now().getTime();
    if (
      session.expiresAt.getTime() <= now ||
      session.lastSeenAt.getTime() + SESSION_IDLE_MS <= now
    ) {
      await this.sessions.deleteByHash(session.tokenHash);
      return null;
    }
    const user = session.user;
    if (!user?.active) return null;
    if (now - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
      await this.sessions.touch(session.id, new Date(now));
    }
    return {
      actor: {
        userId: user.id,
        organizationId: user.organizationId,
        role: user.role,
        // A password session, like the API's access tokens.
        via: 'jwt',
      },
      user: {
        id: user.id,
        displayName: user.displayName,
        language: user.language,
        timezone: user.timezone,
        organizationId: user.organizationId,
      },
    };
  }

  async end(token: string | undefined): Promise<void> {
    if (token && token.length <= 100) await this.sessions.deleteByHash(hashSessionToken(token));
  }
}
