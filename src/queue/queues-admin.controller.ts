import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { QueueMonitor, QueueReport } from './queue-monitor';

export class QueuesResponseDto {
  data: QueueReport[];
}

@ApiTags('admin')
@Controller('v1/admin/queues')
export class QueuesAdminController {
  constructor(private readonly monitor: QueueMonitor) {}

  /** Depths, lateness and recent failures of every queue (admin of the community only). */
  @Get()
  @Roles('admin')
  @ApiProblems(401, 403, 503)
  async list(): Promise<QueuesResponseDto> {
    return { data: await this.monitor.report() };
  }
}
