import { EntityManager, EntityTarget, ObjectLiteral, QueryDeepPartialEntity } from 'typeorm';

/**
 * One INSERT … RETURNING of the generated columns (ids, defaults, timestamps), merged into the
 * values: cheaper than `save()`, which opens its own transaction and reloads the row.
 */
export async function insertReturning<T extends ObjectLiteral>(
  em: EntityManager,
  target: EntityTarget<T>,
  values: QueryDeepPartialEntity<T>,
): Promise<T> {
  const result = await em.insert(target, values);
  return em.create(target, { ...(values as object), ...result.generatedMaps[0] } as T);
}
