import { Body, Controller, Delete, Get, HttpCode, Ip, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, Public } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import { ApiTokensService } from './api-tokens.service';
import { AuthService } from './auth.service';
import {
  ApiTokenPageResponseDto,
  CreateApiTokenDto,
  CreatedApiTokenResponseDto,
} from './dto/api-token.dto';
import { LoginDto } from './dto/login.dto';
import { LoginResponseDto, MeResponseDto } from './dto/login-response.dto';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('v1')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly tokens: ApiTokensService,
  ) {}

  /** Exchanges e-mail and password for a short-lived access token. Throttled per IP and per e-mail. */
  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiProblems(400, 401, 413, 415, 429)
  login(@Body() dto: LoginDto, @Ip() ip: string): Promise<LoginResponseDto> {
    return this.auth.login(dto, ip);
  }

  /** The caller, with their organisation. */
  @Get('me')
  @ApiProblems(401)
  me(@CurrentActor() actor: Actor): Promise<MeResponseDto> {
    return this.auth.me(actor);
  }

  /** Creates a personal API token; the secret is in this answer only. Needs a password session. */
  @Post('auth/tokens')
  @ApiProblems(400, 401, 403, 409, 413, 415)
  createToken(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateApiTokenDto,
  ): Promise<CreatedApiTokenResponseDto> {
    return this.tokens.create(actor, dto);
  }

  /** The caller's active tokens (never their secrets). */
  @Get('auth/tokens')
  @ApiProblems(400, 401)
  listTokens(
    @CurrentActor() actor: Actor,
    @Query() query: ListQueryDto,
  ): Promise<ApiTokenPageResponseDto> {
    return this.tokens.list(actor, query);
  }

  /** Revokes one of the caller's tokens at once. */
  @Delete('auth/tokens/:id')
  @HttpCode(204)
  @ApiProblems(400, 401, 404)
  async revokeToken(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
  ): Promise<void> {
    await this.tokens.revoke(actor, id);
  }
}
