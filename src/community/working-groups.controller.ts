import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, Roles } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import {
  AddWorkingGroupMemberDto,
  CreateWorkingGroupDto,
  WorkingGroupMembersResponseDto,
  WorkingGroupPageResponseDto,
  WorkingGroupResponseDto,
} from './dto/working-group.dto';
import { WorkingGroupsService } from './working-groups.service';

@ApiTags('working groups')
@Controller('v1/working-groups')
export class WorkingGroupsController {
  constructor(private readonly groups: WorkingGroupsService) {}

  /** Every working group by name, and whether the caller belongs to it. */
  @Get()
  @ApiProblems(400, 401)
  list(
    @CurrentActor() actor: Actor,
    @Query() query: ListQueryDto,
  ): Promise<WorkingGroupPageResponseDto> {
    return this.groups.list(actor, query);
  }

  /** Creates a working group (community admin only). */
  @Post()
  @Roles('admin')
  @ApiProblems(400, 401, 403, 409, 413, 415)
  create(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateWorkingGroupDto,
  ): Promise<WorkingGroupResponseDto> {
    return this.groups.create(actor, dto);
  }

  /** One working group (its members are listed to its members and admins only). */
  @Get(':id')
  @ApiProblems(400, 401, 404)
  get(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
  ): Promise<WorkingGroupResponseDto> {
    return this.groups.get(actor, id);
  }

  /** The group's members: for its members and the admins only (anyone else: 404). */
  @Get(':id/members')
  @ApiProblems(400, 401, 404)
  members(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
  ): Promise<WorkingGroupMembersResponseDto> {
    return this.groups.members(actor, id);
  }

  /** Adds a member (community admin only); answers the members. */
  @Post(':id/members')
  @Roles('admin')
  @ApiProblems(400, 401, 403, 404, 413, 415)
  addMember(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: AddWorkingGroupMemberDto,
  ): Promise<WorkingGroupMembersResponseDto> {
    return this.groups.addMember(actor, id, dto);
  }

  /** Removes a member: the admin removes anyone; a member may leave (remove themselves). */
  @Delete(':id/members/:userId')
  @HttpCode(204)
  @ApiProblems(400, 401, 403, 404)
  async removeMember(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Param('userId', UUID_PIPE) userId: string,
  ): Promise<void> {
    await this.groups.removeMember(actor, id, userId);
  }
}
