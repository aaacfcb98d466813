import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, Roles } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import { CreateOrganizationDto } from './dto/create-organization.dto';
import { OrganizationQueryDto } from './dto/organization-query.dto';
import {
  OrganizationPageResponseDto,
  OrganizationResponseDto,
} from './dto/organization-response.dto';
import { UpdateOrganizationDto } from './dto/update-organization.dto';
import { OrganizationsService } from './organizations.service';

@ApiTags('organizations')
@Controller('v1/organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  /** The community's directory of initiatives, readable by every member. */
  @Get()
  @ApiProblems(400, 401)
  list(@Query() query: OrganizationQueryDto): Promise<OrganizationPageResponseDto> {
    return this.organizations.list(query);
  }

  /** Creates an organisation (community admin only). */
  @Post()
  @Roles('admin')
  @ApiProblems(400, 401, 403, 409, 413, 415)
  create(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateOrganizationDto,
  ): Promise<OrganizationResponseDto> {
    return this.organizations.create(actor, dto);
  }

  /** One organisation. */
  @Get(':id')
  @ApiProblems(400, 401, 404)
  get(@Param('id', UUID_PIPE) id: string): Promise<OrganizationResponseDto> {
    return this.organizations.get(id);
  }

  /** Edits an organisation (community admin, or that organisation's org_admin). */
  @Patch(':id')
  @Roles('admin', 'org_admin')
  @ApiProblems(400, 401, 403, 404, 413, 415)
  update(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: UpdateOrganizationDto,
  ): Promise<OrganizationResponseDto> {
    return this.organizations.update(actor, id, dto);
  }
}
