import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Actor, Role, ROLES_KEY } from '../../common/auth/actor';
import { ForbiddenError } from '../../common/errors/domain-error';

/** Global: enforces @Roles(...) after authentication. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles) return true;
    const actor = context.switchToHttp().getRequest<{ user?: Actor }>().user;
    if (!actor || !roles.includes(actor.role))
      throw new ForbiddenError('Your role does not allow this.');
    return true;
  }
}
