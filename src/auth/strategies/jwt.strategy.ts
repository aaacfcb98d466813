import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { Actor } from '../../common/auth/actor';
import { AppConfig } from '../../config/app-config';
import { AccessTokenClaims, AuthService } from '../auth.service';

export const JWT_ISSUER = 'escalation-tracker';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwt.secret,
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
