import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import { insertReturning } from '../database/insert';
import { TransactionRunner } from '../database/transaction';
import { OrganizationEntity } from './organization.entity';

@Injectable()
export class OrganizationsRepository {
  constructor(private readonly tx: TransactionRunner) {}

  findById(id: string, em: EntityManager = this.tx.manager): Promise<OrganizationEntity | null> {
    return em.findOneBy(OrganizationEntity, { id });
  }

  findBySlug(
    slug: string,
    em: EntityManager = this.tx.manager,
  ): Promise<OrganizationEntity | null> {
    return em.findOneBy(OrganizationEntity, { slug });
  }

  insert(
    values: Partial<OrganizationEntity>,
    em: EntityManager = this.tx.manager,
  ): Promise<OrganizationEntity> {
    return insertReturning(em, OrganizationEntity, values);
  }

  /** Of these ids, those that are not an organisation. */
  async unknownIds(ids: string[], em: EntityManager = this.tx.manager): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows: { id: string }[] = await em.query(
      `SELECT x.id FROM unnest($1::uuid[]) AS x(id)
       WHERE NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = x.id)`,
      [ids],
    );
    return rows.map((r) => r.id);
  }

  async update(id: string, values: Partial<OrganizationEntity>, em: EntityManager): Promise<void> {
    await em.update(OrganizationEntity, { id }, values);
  }

  /** Ordered by slug, keyset-paginated; fetches one extra row. */
  list(filter: {
    country?: string;
    language?: string;
    service?: string;
    population?: string;
    q?: string;
    cursor?: string;
    limit: number;
  }): Promise<OrganizationEntity[]> {
    const qb = this.tx.manager
      .createQueryBuilder(OrganizationEntity, 'o')
      .orderBy('o.slug', 'ASC')
      .limit(filter.limit + 1);
    if (filter.country) qb.andWhere(':country = ANY(o.countries)', { country: filter.country });
    if (filter.language) qb.andWhere(':language = ANY(o.languages)', { language: filter.language });
    if (filter.service) qb.andWhere(':service = ANY(o.services)', { service: filter.service });
    if (filter.population) {
      qb.andWhere(':population = ANY(o.constituencies)', { population: filter.population });
    }
    if (filter.q) {
      // Words, each found somewhere in the name, slug or introduction; LIKE's wildcards escaped.
      filter.q
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .slice(0, 8)
        .forEach((word, i) => {
          const pattern = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
          qb.andWhere(
            `(o.name ILIKE :q${i} OR o.slug ILIKE :q${i} OR coalesce(o.introduction, '') ILIKE :q${i})`,
            { [`q${i}`]: pattern },
          );
        });
    }
    if (filter.cursor) {
      const [slug] = decodeCursor(filter.cursor, ['text']);
      qb.andWhere('o.slug > :slug', { slug });
    }
    return qb.getMany();
  }
}
