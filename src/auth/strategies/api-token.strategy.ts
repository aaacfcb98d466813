import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import { Actor } from '../../common/auth/actor';
import { ApiTokensService } from '../api-tokens.service';

@Injectable()
export class ApiTokenStrategy extends PassportStrategy(Strategy, 'api-token') {
  constructor(private readonly tokens: ApiTokensService) {
    super();
  }

  validate(token: string): Promise<Actor | null> {
    return this.tokens.authenticate(token);
  }
}
