import { INestApplicationContext } from '@nestjs/common';
import { Role } from '../common/auth/actor';
import { OrganizationsService } from '../organizations/organizations.service';
import { UsersService } from './users.service';

/** Known to anyone who reads the README: demo data only, never in production. */
export const DEMO_PASSWORD = 'demo-password-change-me';

const DEMO_ORGANIZATIONS = [
  {
    slug: 'demo-coordination',
    name: 'Demo community coordination',
    countries: [],
    languages: ['en', 'es'],
    constituencies: [],
    timezone: 'UTC',
  },
  {
    slug: 'demo-linea-violeta',
    name: 'Demo Línea Violeta (Bolivia, Ecuador)',
    countries: ['BO', 'EC'],
    languages: ['es'],
    constituencies: ['women_journalists', 'women_human_rights_defenders'],
    timezone: 'America/La_Paz',
    website: 'https://example.org/linea-violeta',
  },
  {
    slug: 'demo-safe-online-id',
    name: 'Demo Safe Online (Indonesia)',
    countries: ['ID'],
    languages: ['id', 'en'],
    constituencies: ['lgbtiq', 'women_politicians'],
    timezone: 'Asia/Jakarta',
  },
];

/**
 * Three organisations and one user per role (the admin in the coordination, an org_admin,
 * member and viewer in each helpline). Idempotent: what exists is left alone.
 * Answers a line per user created.
 */
export async function seedDemoCommunity(app: INestApplicationContext): Promise<string[]> {
  const organizations = app.get(OrganizationsService);
  const users = app.get(UsersService);
  const created: string[] = [];
  for (const [index, org] of DEMO_ORGANIZATIONS.entries()) {
    const organization =
      (await organizations.findBySlug(org.slug)) ?? (await organizations.create(null, org));
    const roles: Role[] = index === 0 ? ['admin'] : ['org_admin', 'member', 'viewer'];
    for (const role of roles) {
      const email = `${role.replace('_', '-')}@${org.slug}.example.org`;
      try {
        await users.create(null, organization.id, {
          email,
          displayName: `Demo ${role}`,
          role,
          password: DEMO_PASSWORD,
        });
        created.push(`${role.padEnd(9)} ${email}`);
      } catch (error) {
        if ((error as { status?: number }).status !== 409) throw error;
      }
    }
  }
  return created;
}
