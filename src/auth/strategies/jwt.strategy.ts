import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { Actor } from '../../common/auth/actor';
import { AppConfig } from '../../config/app-config';
import { AccessTokenClaims, AuthService } from '../auth.service';
import { verificationKeyFor } from '../jwt-keys';

export const JWT_ISSUER = 'escalation-tracker';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly auth: AuthService,
  ) {
    // KeyObjects: given a string, jsonwebtoken first tries (and fails) to parse it as a public
    // key on every request, which cost a sixth of the CPU of a request.
    const current = createSecretKey(Buffer.from(config.jwt.secret, 'utf8'));
    const previous = config.jwt.previousSecret
      ? createSecretKey(Buffer.from(config.jwt.previousSecret, 'utf8'))
      : undefined;
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // Tokens are signed with JWT_SECRET; during a rotation those signed with
      // JWT_PREVIOUS_SECRET stay valid until they expire.
      secretOrKeyProvider: (
        _request: unknown,
        rawJwt: string,
        done: (e: null, k: string) => void,
      ) => done(null, verificationKeyFor(rawJwt, current, previous) as unknown as string),
      algorithms: ['HS256'],
      issuer: JWT_ISSUER,
      ignoreExpiration: false,
    });
  }

  /** Returning null makes passport try the next strategy, then answer 401. */
  validate(claims: AccessTokenClaims): Promise<Actor | null> {
    return this.auth.actorForAccessToken(claims);
  }
}
