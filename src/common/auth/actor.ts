import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

export const ROLES = ['admin', 'org_admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: set by the authentication guard on every non-public request. */
export interface Actor {
  userId: string;
  organizationId: string;
  role: Role;
  /** How the caller authenticated: an interactive session or a personal API token. */
  via: 'jwt' | 'api_token';
  tokenId?: string;
}

export const IS_PUBLIC = 'isPublic';
/** Opens a route to unauthenticated callers (login, health, docs). Everything else needs auth. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export const ROLES_KEY = 'roles';
/** Restricts a route to these roles; without it any authenticated user may call it. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const request = ctx.switchToHttp().getRequest<{ user?: Actor }>();
  if (!request.user) throw new Error('CurrentActor used on a public route');
  return request.user;
});
