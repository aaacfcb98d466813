import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import { DomainError, NotFoundError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { OrganizationsService } from '../organizations/organizations.service';
import { UserEntity } from '../users/user.entity';
import { toUserResponse, UsersService } from '../users/users.service';
import { LoginDto } from './dto/login.dto';
import { LoginResponseDto, MeResponseDto } from './dto/login-response.dto';
import { LoginThrottle } from './login-throttle';

/** The claims of our access tokens. */
export interface AccessTokenClaims {
  sub: string;
  typ: 'access';
  /** The user's session generation at issue (absent in tokens older than it: 0). */
  gen?: number;
}

class InvalidCredentialsError extends DomainError {
  constructor() {
    // One answer for an unknown e-mail, a wrong password and a deactivated account.
    super(
      401,
      'invalid-credentials',
      'Unauthenticated',
      'The e-mail or password is not correct.',
      undefined,
      {
        'www-authenticate': 'Bearer',
      },
    );
  }
}

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly organizations: OrganizationsService,
    private readonly jwt: JwtService,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async login(dto: LoginDto, ip: string): Promise<LoginResponseDto> {
    const { user, at } = await this.authenticate(dto, ip);
    const claims: AccessTokenClaims = { sub: user.id, typ: 'access', gen: user.sessionGeneration };
    const accessToken = await this.jwt.signAsync(claims);
    return {
      accessToken,
      expiresIn: this.config.jwt.expiresInSeconds,
      user: toUserResponse({ ...user, lastLoginAt: at }),
    };
  }

  /**
   * The one credential check of the service (the API's login and the web sign-in): throttling,
   * lockout, the audit trail. Answers the active user, or throws the same 401 for every refusal
   * (429 when throttled).
   */
  async authenticate(dto: LoginDto, ip: string): Promise<{ user: UserEntity; at: Date }> {
    try {
      await this.throttle.beforeAttempt(ip, dto.email);
    } catch (error) {
      await this.audit.record({
        action: 'auth.login_throttled',
        details: { scope: 'ip_or_email' },
      });
      throw error;
    }
    const now = this.clock.now();
    // The password is checked even for a locked account: a refusal takes the same time whatever
    // the reason.
    const { user, knownUser } = await this.users.verifyCredentials(dto.email, dto.password);
    const locked = !!knownUser?.lockedUntil && knownUser.lockedUntil > now;
    if (!user || locked) {
      await this.throttle.recordFailure(ip, dto.email);
      // Every refusal runs this query (for nobody when there is nothing to count), so that an
      // existing or locked account does not answer more slowly than an unknown address.
      const countable = !locked && knownUser?.active ? knownUser.id : null;
      const { failures } = this.config.loginLockout;
      const lockedUntil = failures
        ? await this.users.recordFailedLogin(countable, now, this.config.loginLockout)
        : null;
      if (lockedUntil && knownUser) {
        await this.audit.record({
          action: 'auth.account_locked',
          organizationId: knownUser.organizationId,
          targetType: 'user',
          targetId: knownUser.id,
          details: { failures, lockedUntil: lockedUntil.toISOString() },
        });
      }
      await this.audit.record({
        action: 'auth.login_failed',
        actorUserId: knownUser?.id,
        organizationId: knownUser?.organizationId,
        targetType: knownUser ? 'user' : undefined,
        targetId: knownUser?.id,
        details: {
          reason: !knownUser
            ? 'unknown_user'
            : !knownUser.active
              ? 'inactive_user'
              : locked
                ? 'account_locked'
                : 'wrong_password',
        },
      });
      // A locked account gets the answer of a wrong password: a distinct one (423) would tell
      // anyone who tried ten passwords that the address has an account.
      throw new InvalidCredentialsError();
    }
    await this.throttle.recordSuccess(ip, dto.email);
    await this.users.recordLogin(user.id, now);
    await this.audit.record({
      action: 'auth.login_succeeded',
      actorUserId: user.id,
      organizationId: user.organizationId,
      targetType: 'user',
      targetId: user.id,
    });
    return { user, at: now };
  }

  /** The actor behind a verified access token, if its user still exists and is active. */
  async actorForAccessToken(claims: AccessTokenClaims): Promise<Actor | null> {
    if (claims.typ !== 'access' || typeof claims.sub !== 'string') return null;
    const user = await this.users.findActiveForAuthentication(claims.sub);
    // Signed out everywhere (or a new password) since this token was issued.
    return user && (claims.gen ?? 0) === user.sessionGeneration
      ? { userId: user.id, organizationId: user.organizationId, role: user.role, via: 'jwt' }
      : null;
  }

  async me(actor: Actor): Promise<MeResponseDto> {
    const user = await this.users.get(actor, actor.userId);
    const organization = await this.organizations.get(actor.organizationId).catch(() => {
      throw new NotFoundError('organization');
    });
    return {
      ...user,
      organization: { id: organization.id, slug: organization.slug, name: organization.name },
      authenticatedVia: actor.via,
    };
  }
}
