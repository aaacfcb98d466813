import type { ClientBase } from 'pg';
import taxonomy from '../../src/cases/data/taxonomy.json';
import { TARGET_GROUPS } from '../../src/cases/taxonomy';

/**
 * Data for the patterns benchmark: escalated cases whose owners consented to share the pattern,
 * generated inside PostgreSQL (INSERT ... SELECT over generate_series, in batches). The cases go
 * through the real triggers, which note them in `pattern_pending`; the benchmark then builds the
 * records and folds them with the app's PatternProjection, as the worker does. Nothing is
 * written into the pattern tables by hand.
 *
 * The shape:
 * - 18 organisations of Zipf sizes (the largest logs ~29% of the cases), each working mostly in
 *   1 to 3 countries of 25 (Latin America, Africa, Asia, Europe), 4% of their cases elsewhere;
 * - platforms skewed to facebook, instagram, whatsapp, x and tiktok (~78% together); the channel
 *   of the platform weighted by kind (trusted partner channels first: these are helplines);
 * - categories and subcategories from src/cases/data/taxonomy.json, weighted to the common ones,
 *   a subcategory 90% of the time; target groups from TARGET_GROUPS (45% `women` alone, 45%
 *   `women` and one other group, 10% one other group);
 * - escalations spread over 24 whole months (slowly growing: later months hold more);
 * - response times log-normal per channel (median half the channel's expected response time,
 *   sigma 1.1; 12% never answered), resolution log-normal after the first response (median two
 *   days, sigma 1.2), nothing in the future; overdue when the deadline passed first; time paused
 *   on requests for information for 8% of answered cases; outcomes mostly content removed or no
 *   violation found, `no_response` for cases closed unanswered after 45 days;
 * - every case consents (so N cases make N pattern records); no events, items or indicators
 *   (response-quality answers and indicator hashes stay empty: the rollups the benchmark reads
 *   have the same rows and columns either way);
 * - a few hundred platform contacts, a quarter of them departed during the window (the
 *   scorecard counts departures).
 *
 * Deterministic per batch (setseed), so two runs of the same size see the same data up to ids
 * and the current date.
 */

export const ORGANIZATIONS = 18;
const ZIPF = 1;
/** Cases per INSERT statement (one trigger call each). */
const BATCH = 50_000;
/** From this many cases at once, the secondary indexes of `cases` are dropped and rebuilt. */
const REBUILD_INDEXES_FROM = 200_000;
/** Share of an organisation's cases outside its own countries. */
const ELSEWHERE = 0.04;
export const WINDOW_MONTHS = 24;
const CONTACTS = 400;

/** The 25 countries of the community. */
export const COUNTRIES = [
  'MX',
  'BR',
  'CO',
  'AR',
  'PE',
  'CL',
  'EC',
  'BO',
  'GT',
  'ES',
  'PT',
  'KE',
  'NG',
  'ZA',
  'UG',
  'GH',
  'IN',
  'PK',
  'ID',
  'PH',
  'BD',
  'NP',
  'DE',
  'FR',
  'GB',
] as const;

/** Each organisation (by size rank): the countries it works in, main first, and its language. */
const HOMES: [countries: string[], language: string][] = [
  [['MX', 'GT'], 'es'],
  [['BR', 'PT'], 'pt'],
  [['CO', 'EC', 'PE'], 'es'],
  [['AR', 'CL'], 'es'],
  [['KE', 'UG'], 'en'],
  [['IN'], 'en'],
  [['ES'], 'es'],
  [['NG', 'GH'], 'en'],
  [['ZA'], 'en'],
  [['ID', 'PH'], 'en'],
  [['PK', 'BD'], 'en'],
  [['BO', 'PE'], 'es'],
  [['NP', 'IN'], 'en'],
  [['DE', 'FR'], 'en'],
  [['GB'], 'en'],
  [['PE'], 'es'],
  [['EC'], 'es'],
  [['CL', 'AR', 'BO'], 'es'],
];

/** Share of an organisation's own-country cases per country, by how many it works in. */
const COUNTRY_SPLITS: Record<number, number[]> = {
  1: [1],
  2: [0.75, 0.25],
  3: [0.6, 0.25, 0.15],
};

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

const CHANNEL_KIND_WEIGHTS: Record<string, number> = {
  trusted_partner: 45,
  public_report: 30,
  dsa_notice: 10,
  ncii_hash: 8,
  legal: 4,
  email: 3,
};

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

/** Weights to cumulative upper bounds in (0, 1]; the last is 2 so every random() finds one. */
function cumulative(weights: number[]): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  let sum = 0;
  return weights.map((w, i) => (i === weights.length - 1 ? 2 : (sum += w) / total));
}

export interface PatternOrganization {
  id: string;
  slug: string;
  rank: number;
  share: number;
  countries: string[];
  language: string;
}

export interface PatternCommunity {
  organizations: PatternOrganization[];
  /** A member of the organisation of size rank 6: whom the benchmark asks as. */
  reader: { id: string; organizationId: string };
}

/** The first month of the data and the one after its last, as 'YYYY-MM-01'. */
export interface DataWindow {
  start: string;
  end: string;
}

const NO_PASSWORD = '!bench-user-without-password';
const READER_RANK = 6;

const shares = (() => {
  const weights = Array.from({ length: ORGANIZATIONS }, (_, i) => 1 / (i + 1) ** ZIPF);
  const total = weights.reduce((s, w) => s + w, 0);
  return weights.map((w) => w / total);
})();

/** The organisations and their members: created the first time, found again in a kept database. */
export async function ensurePatternCommunity(client: ClientBase): Promise<PatternCommunity> {
  const organizations: PatternOrganization[] = [];
  for (let rank = 1; rank <= ORGANIZATIONS; rank++) {
    const [countries, language] = HOMES[rank - 1];
    const slug = `bench-org-${String(rank).padStart(2, '0')}`;
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO organizations (slug, name, countries, languages, constituencies, timezone)
       VALUES ($1, $2, $3, $4, '{women}', 'UTC')
       ON CONFLICT ON CONSTRAINT uq_organizations_slug DO UPDATE SET slug = EXCLUDED.slug
       RETURNING id`,
      [slug, `Bench helpline ${rank}`, countries, [language]],
    );
    const id = rows[0].id;
    const share = shares[rank - 1];
    for (let u = 1; u <= 2 + Math.round(40 * share); u++) {
      const email = `${slug}-${u}@bench.example`;
      await client.query(
        `INSERT INTO users (organization_id, email, display_name, role, password_hash, language)
         VALUES ($1, $2, $3, 'member', $4, $5)
         ON CONFLICT ON CONSTRAINT uq_users_email DO UPDATE SET active = true`,
        [id, email, `Bench ${slug}-${u}`, NO_PASSWORD, language],
      );
    }
    organizations.push({ id, slug, rank, share, countries, language });
  }
  const readerOrganization = organizations[READER_RANK - 1];
  const { rows } = await client.query<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [
    `${readerOrganization.slug}-1@bench.example`,
  ]);
  return { organizations, reader: { id: rows[0].id, organizationId: readerOrganization.id } };
}

// ---------------------------------------------------------------------------------------------
// What a kept database holds: a marker of a complete generation and its figures.

const createMeta = (client: ClientBase) =>
  client.query('CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL)');

export async function readMeta(client: ClientBase): Promise<Record<string, string>> {
  await createMeta(client);
  const { rows } = await client.query<{ key: string; value: string }>(
    'SELECT key, value FROM bench_meta',
  );
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

export async function writeMeta(client: ClientBase, values: Record<string, string>): Promise<void> {
  await createMeta(client);
  for (const [key, value] of Object.entries(values)) {
    await client.query(
      `INSERT INTO bench_meta (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [key, value],
    );
  }
}

export async function clearMeta(client: ClientBase): Promise<void> {
  await createMeta(client);
  await client.query('DELETE FROM bench_meta');
}

/** The 24 whole months before the current one (UTC). */
export function dataWindow(now: Date): DataWindow {
  const month = (index: number) =>
    `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
  const current = now.getUTCFullYear() * 12 + now.getUTCMonth();
  return { start: month(current - WINDOW_MONTHS), end: month(current) };
}

// ---------------------------------------------------------------------------------------------

/** Lookup tables of this session: what each random() of a row is mapped through. */
async function createLookups(client: ClientBase, community: PatternCommunity): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS gen_org, gen_platform, gen_channel, gen_category`);
  const orgs = community.organizations;
  const bounds = (o: PatternOrganization) => {
    const split = COUNTRY_SPLITS[o.countries.length];
    const hi = cumulative(split);
    return { h1: hi[0], h2: hi.length > 1 ? hi[1] : 2 };
  };
  await client.query(
    `CREATE TEMP TABLE gen_org AS
     SELECT x.id, x.hi, x.c1, x.c2, x.c3, x.h1, x.h2, x.language,
            ARRAY(SELECT u.id FROM users u WHERE u.organization_id = x.id ORDER BY u.email) AS users
       FROM unnest($1::uuid[], $2::float8[], $3::text[], $4::text[], $5::text[], $6::float8[],
                   $7::float8[], $8::text[]) AS x(id, hi, c1, c2, c3, h1, h2, language)`,
    [
      orgs.map((o) => o.id),
      cumulative(orgs.map((o) => o.share)),
      orgs.map((o) => o.countries[0]),
      orgs.map((o) => o.countries[1] ?? o.countries[0]),
      orgs.map((o) => o.countries[2] ?? o.countries[1] ?? o.countries[0]),
      orgs.map((o) => bounds(o).h1),
      orgs.map((o) => bounds(o).h2),
      orgs.map((o) => o.language),
    ],
  );

  const { rows: platforms } = await client.query<{ code: string }>(
    'SELECT code FROM platforms ORDER BY code',
  );
  const codes = platforms.map((p) => p.code);
  codes.sort((a, b) => (PLATFORM_WEIGHTS[b] ?? 0) - (PLATFORM_WEIGHTS[a] ?? 0));
  await client.query(
    `CREATE TEMP TABLE gen_platform AS
     SELECT p.id, p.code, x.hi
       FROM unnest($1::text[], $2::float8[]) AS x(code, hi)
       JOIN platforms p ON p.code = x.code`,
    [codes, cumulative(codes.map((c) => PLATFORM_WEIGHTS[c] ?? OTHER_PLATFORM_WEIGHT))],
  );

  const { rows: channels } = await client.query<{
    platform_id: string;
    id: string;
    kind: string;
    hours: number;
  }>(
    `SELECT platform_id, id, kind::text AS kind, expected_response_hours AS hours
       FROM channels ORDER BY platform_id, code`,
  );
  const byPlatform = new Map<string, typeof channels>();
  for (const c of channels)
    byPlatform.set(c.platform_id, [...(byPlatform.get(c.platform_id) ?? []), c]);
  const channelRows = [...byPlatform.values()].flatMap((list) => {
    const hi = cumulative(list.map((c) => CHANNEL_KIND_WEIGHTS[c.kind] ?? 1));
    return list.map((c, i) => ({ ...c, hi: hi[i] }));
  });
  await client.query(
    `CREATE TEMP TABLE gen_channel AS
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::float8[], $4::int[])
       AS x(platform_id, id, hi, hours)`,
    [
      channelRows.map((c) => c.platform_id),
      channelRows.map((c) => c.id),
      channelRows.map((c) => c.hi),
      channelRows.map((c) => c.hours),
    ],
  );

  const categories = taxonomy.categories;
  await client.query(
    `CREATE TEMP TABLE gen_category AS
     SELECT x.code, x.hi, string_to_array(x.subs, ',') AS subs
       FROM unnest($1::text[], $2::float8[], $3::text[]) AS x(code, hi, subs)`,
    [
      categories.map((c) => c.code),
      cumulative(categories.map((c) => CATEGORY_WEIGHTS[c.code] ?? OTHER_CATEGORY_WEIGHT)),
      categories.map((c) => c.subcategories.map((s) => s.code).join(',')),
    ],
  );
  await client.query('CREATE INDEX ON gen_channel (platform_id, hi)');
  await client.query('ANALYZE gen_org, gen_platform, gen_channel, gen_category');
}

/** A standard normal draw (Box-Muller). */
const NORMAL = 'sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())';
/** Seconds as an interval. */
const seconds = (expr: string) => `make_interval(secs => ${expr})`;

/**
 * Cases numbered $1..$2, escalated between $3 and $4 (timestamps); $5 the countries, $6 the
 * target groups. Every case consents to share its pattern.
 */
const INSERT_CASES = `
WITH base AS (
  SELECT g, random() AS r_org, random() AS r_user, random() AS r_plat, random() AS r_chan,
         random() AS r_cat, random() AS r_sub, random() AS r_country, random() AS r_elsewhere,
         random() AS r_time, random() AS r_answer, random() AS r_resolve, random() AS r_close,
         random() AS r_decision, random() AS r_tg, random() AS r_urg, random() AS r_pause,
         random() AS r_tlp, ${NORMAL} AS z1, ${NORMAL} AS z2, ${NORMAL} AS z3
    FROM generate_series($1::int, $2::int) AS g
), shaped AS (
  SELECT b.*, o.id AS org_id, o.users, o.language, p.code AS platform_code,
         p.id AS platform_id, ch.id AS channel_id, ch.hours, cat.code AS category,
         CASE WHEN r_elsewhere < ${ELSEWHERE}
                THEN ($5::text[])[1 + floor(r_country * array_length($5::text[], 1))::int]
              WHEN r_country < o.h1 THEN o.c1 WHEN r_country < o.h2 THEN o.c2 ELSE o.c3
         END AS country,
         CASE WHEN r_sub < 0.9
              THEN cat.subs[1 + floor(r_sub / 0.9 * array_length(cat.subs, 1))::int] END
           AS subcategory,
         CASE WHEN r_urg < 0.10 THEN 'low' WHEN r_urg < 0.65 THEN 'normal'
              WHEN r_urg < 0.93 THEN 'high' ELSE 'critical' END AS urgency,
         $3::timestamptz + ($4::timestamptz - $3::timestamptz) * power(r_time, 0.85)
           AS escalated_at
    FROM base b
    CROSS JOIN LATERAL (SELECT * FROM gen_org WHERE hi > b.r_org ORDER BY hi LIMIT 1) o
    CROSS JOIN LATERAL (SELECT * FROM gen_platform WHERE hi > b.r_plat ORDER BY hi LIMIT 1) p
    CROSS JOIN LATERAL (SELECT * FROM gen_channel c WHERE c.platform_id = p.id AND c.hi > b.r_chan
                         ORDER BY c.hi LIMIT 1) ch
    CROSS JOIN LATERAL (SELECT * FROM gen_category WHERE hi > b.r_cat ORDER BY hi LIMIT 1) cat
), timed AS (
  SELECT s.*,
         (CASE WHEN urgency = 'critical' THEN least(hours, 24) ELSE hours END)
           * interval '1 hour' AS response_window,
         CASE WHEN r_answer < 0.88
              THEN escalated_at + ${seconds('least(31536000, exp(ln(hours * 1800.0) + 1.1 * z1))')}
         END AS answer_at
    FROM shaped s
), answered AS (
  SELECT t.*, CASE WHEN answer_at <= now() THEN answer_at END AS first_response_at,
         CASE WHEN answer_at <= now() AND r_resolve < 0.85
              THEN answer_at + ${seconds('least(31536000, exp(ln(172800.0) + 1.2 * z2))')}
         END AS resolve_at
    FROM timed t
), resolved AS (
  SELECT a.*, CASE WHEN resolve_at <= now() THEN resolve_at END AS resolved_at
    FROM answered a
), finished AS (
  SELECT r.*,
         CASE WHEN resolved_at IS NOT NULL AND r_close < 0.5
                   AND resolved_at + interval '1 day' * (1 + 40 * r_close) <= now()
                THEN resolved_at + interval '1 day' * (1 + 40 * r_close)
              WHEN first_response_at IS NULL AND escalated_at + interval '45 days' <= now()
                   AND r_close < 0.8
                THEN escalated_at + interval '45 days'
         END AS closed_at
    FROM resolved r
)
INSERT INTO cases (id, reference, organization_id, created_by, platform_id, channel_id,
  title, summary, category_code, subcategory_code, target_groups, country, content_language,
  urgency, tlp, consent_to_share_pattern, status, outcome, escalated_at, due_at,
  first_response_at, resolved_at, closed_at, paused_seconds, overdue_for, version, created_at,
  updated_at)
SELECT gen_random_uuid(),
       'ESC-' || extract(year FROM escalated_at)::int || '-' || lpad(g::text, 7, '0'),
       org_id,
       users[1 + floor(r_user * array_length(users, 1))::int],
       platform_id,
       channel_id,
       initcap(replace(coalesce(subcategory, category), '_', ' ')) || ' on ' || platform_code
         || ' (' || g || ')',
       'Generated for the patterns benchmark.',
       category,
       subcategory,
       CASE WHEN r_tg < 0.45 THEN ARRAY['women']
            WHEN r_tg < 0.9 THEN ARRAY['women', ($6::text[])[2 + floor((r_tg - 0.45) / 0.45
                                   * (array_length($6::text[], 1) - 1))::int]]
            ELSE ARRAY[($6::text[])[1 + floor((r_tg - 0.9) * 10 * array_length($6::text[], 1))::int]]
       END,
       country,
       language,
       urgency::case_urgency,
       (CASE WHEN r_tlp < 0.74 THEN 'AMBER+STRICT' WHEN r_tlp < 0.90 THEN 'GREEN'
             WHEN r_tlp < 0.97 THEN 'AMBER' ELSE 'CLEAR' END)::tlp,
       true,
       (CASE WHEN closed_at IS NOT NULL THEN 'closed' WHEN resolved_at IS NOT NULL THEN 'resolved'
             WHEN first_response_at IS NOT NULL THEN 'acknowledged' ELSE 'escalated' END)::case_status,
       (CASE WHEN resolved_at IS NOT NULL THEN
               CASE WHEN r_decision < 0.35 THEN 'content_removed'
                    WHEN r_decision < 0.50 THEN 'account_suspended'
                    WHEN r_decision < 0.60 THEN 'content_restricted'
                    WHEN r_decision < 0.70 THEN 'partially_actioned'
                    WHEN r_decision < 0.92 THEN 'no_violation_found'
                    WHEN r_decision < 0.97 THEN 'referred_elsewhere'
                    ELSE 'account_restored' END
             WHEN closed_at IS NOT NULL THEN 'no_response' END)::case_outcome,
       escalated_at,
       escalated_at + response_window,
       first_response_at,
       resolved_at,
       closed_at,
       CASE WHEN first_response_at IS NOT NULL AND r_pause < 0.08
            THEN least(2000000, exp(ln(86400.0) + 0.8 * z3))::int ELSE 0 END,
       CASE WHEN escalated_at + response_window < coalesce(first_response_at, now())
            THEN escalated_at + response_window END,
       2,
       escalated_at - interval '1 hour' * (1 + 47 * r_pause),
       greatest(escalated_at, first_response_at, resolved_at, closed_at)
  FROM finished`;

/**
 * Adds cases number `from`..`to` (1-based) in batches of BATCH, through the triggers (pattern
 * records and their change log included). Large runs drop the secondary indexes of `cases` first
 * and rebuild them after (the benchmark never reads `cases`; the primary key and the unique
 * reference stay, the triggers look cases up by id). Foreign keys are checked row by row: the
 * triggers must fire, so no replica mode. Answers the seconds spent inserting (index rebuilds
 * excluded). The first generation also adds the contacts.
 */
export async function generatePatternCases(
  client: ClientBase,
  community: PatternCommunity,
  window: DataWindow,
  from: number,
  to: number,
  log: (line: string) => void,
): Promise<number> {
  if (to < from) return 0;
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  await createLookups(client, community);
  await client.query(`SET synchronous_commit = off`);
  await client.query(`SET maintenance_work_mem = '512MB'`);
  await client.query(`SET work_mem = '64MB'`);
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
  let insertMs = 0;
  try {
    for (let first = from; first <= to; first += BATCH) {
      const last = Math.min(to, first + BATCH - 1);
      await client.query('SELECT setseed($1)', [((first * 0.6180339887) % 1) * 2 - 1]);
      const t0 = Date.now();
      await client.query(INSERT_CASES, [
        first,
        last,
        `${window.start}T00:00:00Z`,
        `${window.end}T00:00:00Z`,
        [...COUNTRIES],
        [...TARGET_GROUPS],
      ]);
      insertMs += Date.now() - t0;
      log(`cases ${first.toLocaleString('en')}..${last.toLocaleString('en')} (${elapsed()})`);
    }
    if (from === 1) await seedContacts(client, window);
  } finally {
    for (const index of indexes) {
      await client.query(index.definition);
      log(`rebuilt ${index.name} (${elapsed()})`);
    }
  }
  return insertMs / 1000;
}

/** A few hundred contacts of the platforms, a quarter of them departed during the window. */
async function seedContacts(client: ClientBase, window: DataWindow): Promise<void> {
  await client.query(
    `INSERT INTO contacts (platform_id, organization_id, full_name, languages, countries, tlp,
                           status, left_on, created_at)
     SELECT p.id, o.id, 'Bench contact ' || g, ARRAY[o.language], ARRAY[o.c1], 'GREEN',
            (CASE WHEN r_left < 0.25 THEN 'left' ELSE 'active' END)::contact_status,
            CASE WHEN r_left < 0.25
                 THEN $1::date + floor(($2::date - $1::date) * r_left / 0.25)::int END,
            $1::timestamptz - interval '1 year'
       FROM (SELECT g, random() AS r_org, random() AS r_plat, random() AS r_left
               FROM generate_series(1, ${CONTACTS}) AS g) b
      CROSS JOIN LATERAL (SELECT * FROM gen_org WHERE hi > b.r_org ORDER BY hi LIMIT 1) o
      CROSS JOIN LATERAL (SELECT * FROM gen_platform WHERE hi > b.r_plat ORDER BY hi LIMIT 1) p`,
    [window.start, window.end],
  );
}
