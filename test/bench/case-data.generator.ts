import type { ClientBase } from 'pg';
import taxonomy from '../../src/cases/data/taxonomy.json';
import { TARGET_GROUPS } from '../../src/cases/taxonomy';

/**
 * Realistic case data for the benchmarks, generated inside PostgreSQL (INSERT ... SELECT over
 * generate_series with random() expressions, in batches), so a million cases take a few minutes
 * at most and never cross the wire.
 *
 * The shape is what a community of helplines looks like after three years:
 * - 18 organisations of very different sizes (Zipf: the largest logs ~29% of the cases, the
 *   smallest ~1.6%), each with a home country and language and a few users (more in larger ones);
 * - platforms skewed to facebook, instagram, whatsapp, x and tiktok (~78% together), with a long
 *   tail; a channel of the platform picked at random;
 * - statuses mostly resolved (45%) and closed (38%), a minority escalated (8%), acknowledged (5%)
 *   and drafts (4%); open cases mostly recent, finished ones spread over three years, with
 *   escalation, deadline, first response, decision (with its outcome, mostly content removed
 *   or no violation found) and closing times consistent with the status;
 * - TLP mostly AMBER+STRICT (74%), some GREEN (12%), AMBER (8%, shared with one organisation),
 *   RED (3%) and CLEAR (3%);
 * - categories from the taxonomy (src/cases/data/taxonomy.json), weighted to the common ones, a
 *   subcategory of the category 90% of the time.
 *
 * Deterministic per batch (setseed), so two runs of the same size see the same data up to ids.
 * Generated references are 'ESC-<year>-<7 digits>' and do not use case_reference_seq: the app's
 * own references ('ESC-<year>-<6 digits>' from the sequence) never collide with them, and the
 * sequence stays small (its lpad(..., 6, '0') truncates past 999,999: see the bench's notes).
 * No events, items or indicators are generated: the benchmarked reads do not touch them.
 */

/** Organisations of the generated community: their slugs are `bench-org-01` .. `-18`. */
export const ORGANIZATIONS = 18;
/** Zipf exponent of the organisation sizes. */
const ZIPF = 1;
/** The benchmark's reader belongs to this organisation (by size rank): a mid-sized one. */
export const READER_RANK = 6;
/** Cases per INSERT statement. */
const BATCH = 100_000;
/** From this many cases at once, secondary indexes are dropped first and rebuilt after. */
const REBUILD_INDEXES_FROM = 200_000;

const HOMES: [country: string, language: string][] = [
  ['MX', 'es'],
  ['BR', 'pt'],
  ['CO', 'es'],
  ['AR', 'es'],
  ['PE', 'es'],
  ['CL', 'es'],
  ['EC', 'es'],
  ['BO', 'es'],
  ['GT', 'es'],
  ['ES', 'es'],
  ['SV', 'es'],
  ['HN', 'es'],
  ['PY', 'es'],
  ['UY', 'es'],
  ['NI', 'es'],
  ['DO', 'es'],
  ['CR', 'es'],
  ['PT', 'pt'],
];

/** Share of the cases per platform (the rest of the reference platforms share what is left). */
const PLATFORM_WEIGHTS: Record<string, number> = {
  facebook: 26,
  instagram: 20,
  whatsapp: 12,
  x: 10,
  tiktok: 10,
  youtube: 4,
  telegram: 4,
  messenger: 3,
  threads: 2,
  snapchat: 1.5,
  google_search: 1.5,
  reddit: 1,
  discord: 1,
};
const OTHER_PLATFORM_WEIGHT = 0.5;

const CATEGORY_WEIGHTS: Record<string, number> = {
  harassment: 22,
  ncii: 14,
  threats: 10,
  hate_speech: 9,
  doxxing: 8,
  impersonation: 7,
  sextortion: 6,
  account_compromise: 5,
  coordinated_attack: 5,
  synthetic_sexual_media: 4,
  gendered_disinformation: 4,
  stalking_surveillance: 3,
};
const OTHER_CATEGORY_WEIGHT = 1;

/** Sentences the summaries are made of (the full-text index gets realistic material). */
const PHRASES = [
  'Repeated abusive messages from several newly created accounts.',
  'Intimate images shared without consent in a public group.',
  'Home address and phone number posted with calls to visit her.',
  'Fake profile using her photos and name to contact her colleagues.',
  'Threats of sexual violence in replies under every post.',
  'Coordinated pile-on after a television interview.',
  'Account taken over; the attacker changed the recovery e-mail.',
  'Sexual deepfake video circulating in messaging groups.',
  'Demands for money under threat of publishing private images.',
  'Misogynistic slurs and dehumanising memes targeting a candidate.',
  'Stalkerware suspected on her phone after a separation.',
  'False claims about her private life spread before the election.',
  'The survivor asked for removal and for the account to be suspended.',
  'Content reported in-app twice without an answer.',
  'Screenshots and URLs captured by the helpline before escalation.',
  'The attacker keeps creating new accounts after each suspension.',
];

/** Weights to cumulative upper bounds in (0, 1]; the last is 2 so every random() finds one. */
function cumulative(weights: number[]): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  let sum = 0;
  return weights.map((w, i) => (i === weights.length - 1 ? 2 : (sum += w) / total));
}

export interface BenchOrganization {
  id: string;
  slug: string;
  /** 1 = the largest. */
  rank: number;
  /** Expected share of the generated cases. */
  share: number;
  userIds: string[];
}

export interface BenchUser {
  id: string;
  organizationId: string;
}

export interface BenchCommunity {
  organizations: BenchOrganization[];
  /** A member of the organisation of rank READER_RANK: whom the list benchmark asks as. */
  reader: BenchUser;
  /** A member of `bench-writers`, an organisation outside the generated data: the writes. */
  writer: BenchUser;
}

const shares = (() => {
  const weights = Array.from({ length: ORGANIZATIONS }, (_, i) => 1 / (i + 1) ** ZIPF);
  const total = weights.reduce((s, w) => s + w, 0);
  return weights.map((w) => w / total);
})();

const slugOf = (rank: number) => `bench-org-${String(rank).padStart(2, '0')}`;
/** Nobody logs in with it: the benchmark mints access tokens for these users. */
const NO_PASSWORD = '!bench-user-without-password';

async function ensureUser(
  client: ClientBase,
  organizationId: string,
  email: string,
): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO users (organization_id, email, display_name, role, password_hash, language)
     VALUES ($1, $2, $3, 'member', $4, 'es')
     ON CONFLICT ON CONSTRAINT uq_users_email DO UPDATE SET active = true
     RETURNING id`,
    [organizationId, email, `Bench ${email.split('@')[0]}`, NO_PASSWORD],
  );
  return rows[0].id;
}

async function ensureOrganization(
  client: ClientBase,
  slug: string,
  country: string,
  language: string,
): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO organizations (slug, name, countries, languages, constituencies, timezone)
     VALUES ($1, $2, $3, $4, '{women}', 'UTC')
     ON CONFLICT ON CONSTRAINT uq_organizations_slug DO UPDATE SET slug = EXCLUDED.slug
     RETURNING id`,
    [slug, `Bench helpline ${slug.slice('bench-'.length)}`, [country], [language]],
  );
  return rows[0].id;
}

/**
 * The 18 organisations with their users, the reader and the writer: created the first time,
 * found again in a kept database.
 */
export async function ensureCommunity(client: ClientBase): Promise<BenchCommunity> {
  const organizations: BenchOrganization[] = [];
  for (let rank = 1; rank <= ORGANIZATIONS; rank++) {
    const [country, language] = HOMES[rank - 1];
    const slug = slugOf(rank);
    const id = await ensureOrganization(client, slug, country, language);
    const share = shares[rank - 1];
    const userIds: string[] = [];
    for (let u = 1; u <= 2 + Math.round(40 * share); u++) {
      userIds.push(await ensureUser(client, id, `${slug}-${u}@bench.example`));
    }
    organizations.push({ id, slug, rank, share, userIds });
  }
  const readerOrganization = organizations[READER_RANK - 1];
  const writersId = await ensureOrganization(client, 'bench-writers', 'BO', 'es');
  return {
    organizations,
    reader: { id: readerOrganization.userIds[0], organizationId: readerOrganization.id },
    writer: {
      id: await ensureUser(client, writersId, 'bench-writer@bench.example'),
      organizationId: writersId,
    },
  };
}

/** Marker of a complete generation, so a kept database is reused only when it is whole. */
export async function generatedCases(client: ClientBase): Promise<number | null> {
  await createMeta(client);
  const { rows } = await client.query<{ value: string }>(
    `SELECT value FROM bench_meta WHERE key = 'cases_generated'`,
  );
  return rows[0] ? Number(rows[0].value) : null;
}

const createMeta = (client: ClientBase) =>
  client.query('CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL)');

async function markGenerated(client: ClientBase, cases: number | null): Promise<void> {
  await createMeta(client);
  await client.query(`DELETE FROM bench_meta WHERE key = 'cases_generated'`);
  if (cases !== null) {
    await client.query(`INSERT INTO bench_meta (key, value) VALUES ('cases_generated', $1)`, [
      String(cases),
    ]);
  }
}

/** Lookup tables of this session: what each random() of a row is mapped through. */
async function createLookups(client: ClientBase, community: BenchCommunity): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS gen_org, gen_platform, gen_category`);
  const orgBounds = cumulative(community.organizations.map((o) => o.share));
  await client.query(
    `CREATE TEMP TABLE gen_org AS
     SELECT x.id, x.hi, x.country, x.language,
            ARRAY(SELECT u.id FROM users u WHERE u.organization_id = x.id ORDER BY u.email) AS users
       FROM unnest($1::uuid[], $2::float8[], $3::text[], $4::text[]) AS x(id, hi, country, language)`,
    [
      community.organizations.map((o) => o.id),
      orgBounds,
      community.organizations.map((o) => HOMES[o.rank - 1][0]),
      community.organizations.map((o) => HOMES[o.rank - 1][1]),
    ],
  );

  const { rows: platforms } = await client.query<{ code: string }>(
    'SELECT code FROM platforms ORDER BY code',
  );
  const codes = platforms.map((p) => p.code);
  // The big five first, so their bounds read naturally in a plan or a debugger.
  codes.sort((a, b) => (PLATFORM_WEIGHTS[b] ?? 0) - (PLATFORM_WEIGHTS[a] ?? 0));
  const platformBounds = cumulative(codes.map((c) => PLATFORM_WEIGHTS[c] ?? OTHER_PLATFORM_WEIGHT));
  await client.query(
    `CREATE TEMP TABLE gen_platform AS
     SELECT p.id, p.code, x.hi,
            ARRAY(SELECT ch.id FROM channels ch WHERE ch.platform_id = p.id ORDER BY ch.code) AS channels,
            ARRAY(SELECT ch.expected_response_hours FROM channels ch WHERE ch.platform_id = p.id
                  ORDER BY ch.code) AS hours
       FROM unnest($1::text[], $2::float8[]) AS x(code, hi)
       JOIN platforms p ON p.code = x.code`,
    [codes, platformBounds],
  );

  const categories = taxonomy.categories;
  const categoryBounds = cumulative(
    categories.map((c) => CATEGORY_WEIGHTS[c.code] ?? OTHER_CATEGORY_WEIGHT),
  );
  await client.query(
    `CREATE TEMP TABLE gen_category AS
     SELECT x.code, x.hi, string_to_array(x.subs, ',') AS subs
       FROM unnest($1::text[], $2::float8[], $3::text[]) AS x(code, hi, subs)`,
    [
      categories.map((c) => c.code),
      categoryBounds,
      categories.map((c) => c.subcategories.map((s) => s.code).join(',')),
    ],
  );
  await client.query('ANALYZE gen_org, gen_platform, gen_category');
}

/** Cases numbered `from`..`to` (one statement). $3 organisation ids, $4 and $5 value lists. */
const INSERT_CASES = `
WITH base AS (
  SELECT g, random() AS r_org, random() AS r_user, random() AS r_plat, random() AS r_chan,
         random() AS r_cat, random() AS r_sub, random() AS r_status, random() AS r_tlp,
         random() AS r_share, random() AS r_country, random() AS r_lang, random() AS r_urg,
         random() AS r_age, random() AS r_t1, random() AS r_t2, random() AS r_t3,
         random() AS r_outcome, random() AS r_decision, random() AS r_tg, random() AS r_text
    FROM generate_series($1::int, $2::int) AS g
), shaped AS (
  SELECT b.*, o.id AS org_id, o.users, o.country AS home_country, o.language AS home_language,
         p.id AS platform_id, p.code AS platform_code, p.channels, p.hours,
         cat.code AS category,
         CASE WHEN r_sub < 0.9
              THEN cat.subs[1 + floor(r_sub / 0.9 * array_length(cat.subs, 1))::int] END
           AS subcategory,
         CASE WHEN r_status < 0.04 THEN 'draft'
              WHEN r_status < 0.12 THEN 'escalated'
              WHEN r_status < 0.17 THEN 'acknowledged'
              WHEN r_status < 0.62 THEN 'resolved'
              ELSE 'closed' END AS status,
         CASE WHEN r_urg < 0.10 THEN 'low' WHEN r_urg < 0.65 THEN 'normal'
              WHEN r_urg < 0.93 THEN 'high' ELSE 'critical' END AS urgency
    FROM base b
    CROSS JOIN LATERAL (SELECT * FROM gen_org WHERE hi > b.r_org ORDER BY hi LIMIT 1) o
    CROSS JOIN LATERAL (SELECT * FROM gen_platform WHERE hi > b.r_plat ORDER BY hi LIMIT 1) p
    CROSS JOIN LATERAL (SELECT * FROM gen_category WHERE hi > b.r_cat ORDER BY hi LIMIT 1) cat
), created AS (
  SELECT s.*, 1 + floor(r_chan * array_length(channels, 1))::int AS ci,
         -- Open cases are mostly recent (a tail of stale ones); finished ones span three years.
         CASE WHEN status IN ('draft', 'escalated', 'acknowledged')
              THEN now() - interval '1095 days' * power(r_age, 4)
              ELSE now() - interval '7 days' - interval '1088 days' * power(r_age, 0.8)
         END AS created_at
    FROM shaped s
), escalated AS (
  SELECT c.*,
         CASE WHEN status = 'draft' THEN NULL
              ELSE least(now(), created_at + interval '2 days' * r_t1) END AS escalated_at,
         CASE WHEN urgency = 'critical' THEN least(hours[ci], 24) ELSE hours[ci] END
           * interval '1 hour' AS response_window
    FROM created c
), answered AS (
  SELECT e.*,
         CASE WHEN status = 'acknowledged'
                OR (status = 'resolved' AND r_t3 < 0.6)
                OR (status = 'closed' AND r_outcome < 0.5)
              THEN least(now(), escalated_at + response_window * r_t2) END AS first_response_at,
         CASE WHEN status = 'resolved' OR (status = 'closed' AND r_outcome < 0.7)
              THEN least(now(), escalated_at + response_window * (r_t2 + r_t3)) END AS resolved_at
    FROM escalated e
), finished AS (
  SELECT a.*,
         CASE WHEN status = 'closed'
              THEN least(now(), coalesce(resolved_at, escalated_at + interval '30 days')
                                + interval '10 days' * r_t1) END AS closed_at,
         CASE WHEN resolved_at IS NULL THEN (CASE WHEN status = 'closed' THEN 'no_response' END)
              WHEN r_decision < 0.35 THEN 'content_removed'
              WHEN r_decision < 0.50 THEN 'account_suspended'
              WHEN r_decision < 0.60 THEN 'content_restricted'
              WHEN r_decision < 0.70 THEN 'partially_actioned'
              WHEN r_decision < 0.92 THEN 'no_violation_found'
              WHEN r_decision < 0.97 THEN 'referred_elsewhere'
              ELSE 'account_restored' END AS outcome,
         CASE WHEN r_tlp < 0.74 THEN 'AMBER+STRICT' WHEN r_tlp < 0.86 THEN 'GREEN'
              WHEN r_tlp < 0.94 THEN 'AMBER' WHEN r_tlp < 0.97 THEN 'RED'
              ELSE 'CLEAR' END AS tlp
    FROM answered a
)
INSERT INTO cases (id, reference, organization_id, created_by, platform_id, channel_id,
  contact_id, title, summary, category_code, subcategory_code, target_groups, country,
  content_language, urgency, tlp, shared_organization_ids, shared_user_ids,
  consent_to_share_pattern, platform_reference, status, outcome, escalated_at, due_at,
  first_response_at, resolved_at, closed_at, paused_at, paused_seconds, needs_contact, version,
  created_at, updated_at)
SELECT gen_random_uuid(),
       'ESC-' || extract(year FROM created_at)::int || '-' || lpad(g::text, 7, '0'),
       org_id,
       users[1 + floor(r_user * array_length(users, 1))::int],
       platform_id,
       channels[ci],
       NULL,
       initcap(replace(coalesce(subcategory, category), '_', ' ')) || ' on ' || platform_code
         || ' (' || g || ')',
       ($5::text[])[1 + floor(r_text * array_length($5::text[], 1))::int] || ' ' ||
       ($5::text[])[1 + floor(r_t3 * array_length($5::text[], 1))::int] ||
       ' Logged by the helpline on ' || to_char(created_at, 'YYYY-MM-DD') || '.',
       category,
       subcategory,
       CASE WHEN r_tg < 0.45 THEN ARRAY['women']
            WHEN r_tg < 0.9 THEN ARRAY['women', ($4::text[])[2 + floor((r_tg - 0.45) / 0.45
                                   * (array_length($4::text[], 1) - 1))::int]]
            ELSE ARRAY[($4::text[])[1 + floor((r_tg - 0.9) * 10 * array_length($4::text[], 1))::int]]
       END,
       CASE WHEN r_country < 0.85 THEN home_country
            ELSE (SELECT o.country FROM gen_org o ORDER BY o.hi
                  OFFSET floor((r_country - 0.85) / 0.15 * ${ORGANIZATIONS})::int LIMIT 1) END,
       CASE WHEN r_lang < 0.80 THEN home_language WHEN r_lang < 0.90 THEN 'en'
            WHEN r_lang < 0.95 THEN (CASE home_language WHEN 'pt' THEN 'es' ELSE 'pt' END) END,
       urgency::case_urgency,
       tlp::tlp,
       CASE WHEN tlp = 'AMBER'
            THEN ARRAY[($3::uuid[])[1 + floor(r_share * array_length($3::uuid[], 1))::int]]
            ELSE '{}'::uuid[] END,
       CASE WHEN tlp = 'RED' AND r_share < 0.5
            THEN ARRAY[users[1 + floor(r_share * 2 * array_length(users, 1))::int]]
            ELSE '{}'::uuid[] END,
       r_text < 0.35,
       CASE WHEN status <> 'draft' AND r_t3 < 0.6
            THEN upper(left(platform_code, 2)) || '-' || (1000000 + g::bigint * 7919 % 9000000) END,
       status::case_status,
       outcome::case_outcome,
       escalated_at,
       escalated_at + response_window,
       first_response_at,
       resolved_at,
       closed_at,
       NULL,
       0,
       status IN ('escalated', 'acknowledged') AND r_t3 < 0.03,
       CASE status WHEN 'draft' THEN 1 WHEN 'escalated' THEN 2 WHEN 'acknowledged' THEN 3
                   WHEN 'resolved' THEN 4 ELSE 5 END,
       created_at,
       greatest(created_at, escalated_at, first_response_at, resolved_at, closed_at)
  FROM finished`;

/**
 * Adds cases number `from`..`to` (1-based) in batches, then ANALYZE. Large runs drop the
 * secondary indexes of `cases` first and rebuild them from their own definitions after (much
 * faster than maintaining them row by row); foreign keys are not checked row by row either
 * (session_replication_role = replica: every reference is taken from existing rows).
 */
export async function generateCases(
  client: ClientBase,
  community: BenchCommunity,
  from: number,
  to: number,
  log: (line: string) => void,
): Promise<void> {
  if (to < from) return;
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  await markGenerated(client, null);
  await createLookups(client, community);
  await client.query(`SET synchronous_commit = off`);
  await client.query(`SET maintenance_work_mem = '512MB'`);
  await client.query(`SET session_replication_role = replica`);
  try {
    const rebuild = to - from + 1 >= REBUILD_INDEXES_FROM;
    const { rows: indexes } = rebuild
      ? await client.query<{ name: string; definition: string }>(
          `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
            WHERE schemaname = 'public' AND tablename = 'cases'
              AND indexname NOT IN (SELECT conname FROM pg_constraint
                                     WHERE conrelid = 'public.cases'::regclass)`,
        )
      : { rows: [] };
    for (const index of indexes) await client.query(`DROP INDEX "public"."${index.name}"`);

    for (let first = from; first <= to; first += BATCH) {
      const last = Math.min(to, first + BATCH - 1);
      // Deterministic per batch: the same numbers get the same draws on every run.
      await client.query('SELECT setseed($1)', [((first * 0.6180339887) % 1) * 2 - 1]);
      await client.query(INSERT_CASES, [
        first,
        last,
        community.organizations.map((o) => o.id),
        [...TARGET_GROUPS],
        PHRASES,
      ]);
      log(`  cases ${first.toLocaleString('en')}..${last.toLocaleString('en')} (${elapsed()})`);
    }
    for (const index of indexes) {
      await client.query(index.definition);
      log(`  rebuilt ${index.name} (${elapsed()})`);
    }
  } finally {
    await client.query(`SET session_replication_role = DEFAULT`);
  }
  await client.query('ANALYZE');
  await markGenerated(client, to);
  log(`  analyzed (${elapsed()})`);
}

/**
 * Removes what the benchmark's writes added (cases of `bench-writers` with their events, items,
 * indicators and keys; the audit entries of the bench users) so a kept database stays as
 * generated. The timeline and the audit trail refuse deletes by trigger: replica mode skips it
 * (a scratch benchmark database, never a real one). Answers how many cases went.
 */
export async function removeBenchWrites(
  client: ClientBase,
  community: BenchCommunity,
): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL session_replication_role = replica');
    const ids = `(SELECT id FROM cases WHERE organization_id = $1)`;
    for (const table of ['case_events', 'case_items', 'case_indicators', 'idempotency_keys']) {
      await client.query(`DELETE FROM ${table} WHERE case_id IN ${ids}`, [
        community.writer.organizationId,
      ]);
    }
    // The writer's consenting cases reached the shared repository (triggers are off here, so
    // nothing is logged for the fold: its rollup rows go by hand; duration buckets are not per
    // organisation and keep them, which no cases bench reads).
    for (const table of ['pattern_records', 'pattern_cells', 'pattern_scorecard_counts']) {
      await client.query(`DELETE FROM ${table} WHERE organization_id = $1`, [
        community.writer.organizationId,
      ]);
    }
    await client.query(`DELETE FROM pattern_pending WHERE case_id IN ${ids}`, [
      community.writer.organizationId,
    ]);
    const removed = await client.query('DELETE FROM cases WHERE organization_id = $1', [
      community.writer.organizationId,
    ]);
    await client.query('DELETE FROM audit_entries WHERE actor_user_id = ANY($1::uuid[])', [
      [community.reader.id, community.writer.id],
    ]);
    // Raw inserts and the API's number from the same sequence: start again after what remains.
    await client.query(
      `SELECT setval('case_reference_seq', coalesce(max(substring(reference FROM 10)::bigint), 0) + 1,
                     false)
         FROM cases WHERE reference ~ '^ESC-[0-9]{4}-[0-9]{6}$'`,
    );
    await client.query('COMMIT');
    return removed.rowCount ?? 0;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
