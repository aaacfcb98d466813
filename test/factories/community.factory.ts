import { randomBytes } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Role } from '../../src/common/auth/actor';
import { OrganizationResponseDto } from '../../src/organizations/dto/organization-response.dto';
import { OrganizationsService } from '../../src/organizations/organizations.service';
import { UserResponseDto } from '../../src/users/dto/user-response.dto';
import { UsersService } from '../../src/users/users.service';

const unique = () => randomBytes(4).toString('hex');

export const TEST_PASSWORD = 'a-long-enough-test-password';

/** An organisation inserted through the real service, with unique values. */
export function createOrganization(
  app: NestFastifyApplication,
  overrides: Partial<OrganizationResponseDto> = {},
): Promise<OrganizationResponseDto> {
  const id = unique();
  return app.get(OrganizationsService).create(null, {
    slug: `org-${id}`,
    name: `Helpline ${id}`,
    countries: ['BO', 'EC'],
    languages: ['es'],
    constituencies: ['women_journalists'],
    timezone: 'America/La_Paz',
    ...overrides,
    website: overrides.website ?? undefined,
  });
}

export interface TestUser extends UserResponseDto {
  /** A valid access token for this user, minted the way login does. */
  token: string;
  password: string;
}

export async function createUser(
  app: NestFastifyApplication,
  organizationId: string,
  role: Role,
  overrides: { email?: string; displayName?: string; password?: string } = {},
): Promise<TestUser> {
  const password = overrides.password ?? TEST_PASSWORD;
  const user = await app.get(UsersService).create(null, organizationId, {
    email: overrides.email ?? `${role}-${unique()}@example.org`,
    displayName: overrides.displayName ?? `Test ${role}`,
    role,
    password,
  });
  return { ...user, password, token: await tokenFor(app, user.id) };
}

export function tokenFor(
  app: NestFastifyApplication,
  userId: string,
  expiresIn?: number,
): Promise<string> {
  return app
    .get(JwtService)
    .signAsync({ sub: userId, typ: 'access' }, expiresIn === undefined ? {} : { expiresIn });
}

/** Two organisations, each with one user per role, and a community admin. */
export async function createCommunity(app: NestFastifyApplication) {
  const coordination = await createOrganization(app, { countries: [], languages: ['en'] });
  const a = await createOrganization(app);
  const b = await createOrganization(app, { countries: ['MX'], languages: ['es', 'en'] });
  const admin = await createUser(app, coordination.id, 'admin');
  const roles = async (orgId: string) => ({
    orgAdmin: await createUser(app, orgId, 'org_admin'),
    member: await createUser(app, orgId, 'member'),
    viewer: await createUser(app, orgId, 'viewer'),
  });
  return { coordination, admin, a, b, inA: await roles(a.id), inB: await roles(b.id) };
}
