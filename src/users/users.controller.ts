import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, Roles } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import { ChangePasswordDto } from './dto/change-password.dto';
import { CreateUserDto } from './dto/create-user.dto';
import { EndSessionsDto } from './dto/end-sessions.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserPageResponseDto, UserResponseDto } from './dto/user-response.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('v1')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Adds a user (admin: any organisation; org_admin: its own, never an admin). */
  @Post('organizations/:id/users')
  @Roles('admin', 'org_admin')
  @ApiProblems(400, 401, 403, 404, 409, 413, 415)
  create(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) organizationId: string,
    @Body() dto: CreateUserDto,
  ): Promise<UserResponseDto> {
    return this.users.create(actor, organizationId, dto);
  }

  /** The users of an organisation (admin: any; others: their own). */
  @Get('organizations/:id/users')
  @ApiProblems(400, 401, 403, 404)
  list(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) organizationId: string,
    @Query() query: ListQueryDto,
  ): Promise<UserPageResponseDto> {
    return this.users.listForOrganization(actor, organizationId, query);
  }

  /** One user you may see: yourself, or a member of an organisation you manage. */
  @Get('users/:id')
  @ApiProblems(400, 401, 404)
  get(@CurrentActor() actor: Actor, @Param('id', UUID_PIPE) id: string): Promise<UserResponseDto> {
    return this.users.get(actor, id);
  }

  /** Edits a user: profile fields for oneself; role and `active` for those who manage the user. */
  @Patch('users/:id')
  @ApiProblems(400, 401, 403, 404, 413, 415)
  update(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: UpdateUserDto,
  ): Promise<UserResponseDto> {
    return this.users.update(actor, id, dto);
  }

  /**
   * Signs a user out everywhere: their web sessions and access tokens end at once (their next
   * request is a 401), and their API tokens too with `revokeApiTokens`. For oneself, an
   * org_admin on the members of their organisation, an admin on anyone.
   */
  @Post('users/:id/sign-out-everywhere')
  @HttpCode(204)
  @ApiProblems(400, 401, 403, 404, 413, 415)
  async signOutEverywhere(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: EndSessionsDto,
  ): Promise<void> {
    await this.users.endSessions(actor, id, dto.revokeApiTokens ?? false);
  }

  /**
   * Changes the caller's own password (needs the current one). Every session of the caller
   * ends, this access token included: sign in again. `revokeApiTokens` ends API tokens too.
   */
  @Post('me/password')
  @HttpCode(204)
  @ApiProblems(400, 401, 413, 415)
  async changePassword(
    @CurrentActor() actor: Actor,
    @Body() dto: ChangePasswordDto,
  ): Promise<void> {
    await this.users.changeOwnPassword(actor, dto);
  }
}
