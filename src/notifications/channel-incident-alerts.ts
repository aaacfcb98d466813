import { Injectable, Logger } from '@nestjs/common';
import { ChannelIncidentsService } from '../channels/channel-incidents.service';
import { Clock } from '../common/clock';
import { OnEvent } from '../common/events/on-event.decorator';
import { WorkingGroupsService } from '../community/working-groups.service';
import { NotificationsService } from './notifications.service';

/**
 * When a platform's channel gets an incident, the working groups that follow incidents hear of
 * it: after the report commits (a report rolled back tells no one), one notice per group, keyed
 * by incident and group so a repeated event queues nothing new.
 */
@Injectable()
export class ChannelIncidentAlerts {
  private readonly logger = new Logger(ChannelIncidentAlerts.name);

  constructor(
    private readonly incidents: ChannelIncidentsService,
    private readonly groups: WorkingGroupsService,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
  ) {}

  @OnEvent('channel-incident.reported', 'after-commit')
  async alertGroups({ incidentId }: { incidentId: string }): Promise<void> {
    const incident = await this.incidents.alertFacts(incidentId);
    if (!incident) return;
    for (const workingGroupId of await this.groups.incidentAlertGroupIds()) {
      await this.notifications.notify({
        type: 'group.channel_incident',
        key: `incident-${incidentId}-group-${workingGroupId}`,
        workingGroupId,
        occurredAt: this.clock.now().toISOString(),
        incident,
      });
    }
    this.logger.log({ incidentId }, 'channel incident alerts queued');
  }
}
