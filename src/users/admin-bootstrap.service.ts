import { Injectable, Logger } from '@nestjs/common';
import { lockForTransaction, TransactionRunner } from '../database/transaction';
import { assertValid } from '../common/validation/validation.pipe';
import { CreateUserDto } from './dto/create-user.dto';
import { OrganizationsService } from '../organizations/organizations.service';
import { UsersService } from './users.service';

const BOOTSTRAP_LOCK_ID = 7_331_002;

export interface FirstAdmin {
  email: string;
  password: string;
  displayName?: string;
  organizationSlug: string;
  organizationName?: string;
}

/** Creates the first community admin (and its organisation) on a fresh installation. */
@Injectable()
export class AdminBootstrapService {
  private readonly logger = new Logger(AdminBootstrapService.name);

  constructor(
    private readonly users: UsersService,
    private readonly organizations: OrganizationsService,
    private readonly tx: TransactionRunner,
  ) {}

  /**
   * With `onlyIfNoAdmin`, does nothing when an admin exists (start-up). Replicas starting together
   * serialise on an advisory lock, so exactly one creates the admin.
   */
  async createAdmin(input: FirstAdmin, onlyIfNoAdmin: boolean): Promise<'created' | 'skipped'> {
    const dto = assertValid(CreateUserDto, {
      email: input.email,
      password: input.password,
      displayName: input.displayName ?? 'Community admin',
      role: 'admin',
    });
    return this.tx.run(async (em) => {
      await lockForTransaction(em, BOOTSTRAP_LOCK_ID);
      if (onlyIfNoAdmin && (await this.users.anyAdminExists(em))) return 'skipped';
      const organization =
        (await this.organizations.findBySlug(input.organizationSlug, em)) ??
        (await this.organizations.create(
          null,
          {
            slug: input.organizationSlug,
            name: input.organizationName ?? 'Community coordination',
            countries: [],
            languages: ['en', 'es'],
            constituencies: [],
            timezone: 'UTC',
          },
          em,
        ));
      const user = await this.users.create(null, organization.id, dto, em);
      this.logger.log(`created admin ${user.id} in organization ${organization.id}`);
      return 'created';
    });
  }
}
