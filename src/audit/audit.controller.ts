import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, Roles } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { AuditService } from './audit.service';
import { AuditPageResponseDto } from './dto/audit-entry-response.dto';
import { AuditQueryDto } from './dto/audit-query.dto';

@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The audit trail, newest first. admin: all organisations; org_admin: its own. */
  @Get()
  @Roles('admin', 'org_admin')
  @ApiProblems(400, 401, 403)
  list(@CurrentActor() actor: Actor, @Query() query: AuditQueryDto): Promise<AuditPageResponseDto> {
    return this.audit.list(actor, query);
  }
}
