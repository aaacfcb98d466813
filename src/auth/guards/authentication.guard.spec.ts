import { Reflector } from '@nestjs/core';
import { UnauthenticatedError } from '../../common/errors/domain-error';
import { AuthenticationGuard } from './authentication.guard';

describe('AuthenticationGuard.handleRequest', () => {
  const guard = new AuthenticationGuard(new Reflector());

  it('answers 401 for missing or wrong credentials', () => {
    expect(() => guard.handleRequest(null, false)).toThrow(UnauthenticatedError);
    expect(() => guard.handleRequest(undefined, null)).toThrow(UnauthenticatedError);
  });

  it('passes an error met while checking credentials on as it is (the filter makes it a 503)', () => {
    const down = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    expect(() => guard.handleRequest(down, false)).toThrow(down);
  });

  it('lets a known user through', () => {
    const actor = { userId: 'u', organizationId: 'o', role: 'member' };
    expect(guard.handleRequest(null, actor)).toBe(actor);
  });
});
