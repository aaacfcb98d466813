#!/usr/bin/env bash
# Backup and restore, verified: pg_dump -Fc of a database, pg_restore into a fresh database on the
# same server, then the two compared: row counts of every table, a checksum of the key tables'
# rows, sequence positions and the number of schema objects. Exit 1 on any difference.
#
#   npm run backup:verify                      # a scratch database, seeded through the API, then dropped
#   DATABASE_URL=postgres://... npm run backup:verify   # a real database (read only: pg_dump); the
#                                              # restored copy is dropped afterwards
#
# Environment: DATABASE_URL (the database to back up; default: a fresh scratch one), PG_BIN
# (directory of pg_dump/pg_restore/psql, default PostgreSQL 15's), SCRATCH_SERVER_URL (where the
# scratch database lives, default postgres://postgres@127.0.0.1:5432/postgres), KEEP_DUMP=<path>
# (copy the dump there), CHECKSUM_TABLES (space-separated; default the key tables below).
# The restored database, the scratch source and the dump are removed on exit, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
if [ ! -x "$PG_BIN/pg_dump" ]; then PG_BIN="$(dirname "$(command -v pg_dump)")"; fi
PG_DUMP="$PG_BIN/pg_dump"
PG_RESTORE="$PG_BIN/pg_restore"
PSQL="$PG_BIN/psql"
CHECKSUM_TABLES="${CHECKSUM_TABLES:-organizations users api_tokens platforms channels contacts cases case_events case_items case_indicators idempotency_keys pattern_records audit_entries migrations}"

# Replaces the database name of a postgres:// URL (query string kept).
with_db() {
  node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.toString())' "$1" "$2"
}
db_of() {
  node -e 'console.log(decodeURIComponent(new URL(process.argv[1]).pathname.slice(1)))' "$1"
}
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
q() { "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

work="$(mktemp -d -t et-backup-XXXXXX)"
source_url="${DATABASE_URL:-}"
scratch_source=""
restore_db="et_restore_$(date +%Y%m%d%H%M%S)_$$"
restore_url=""
admin_url=""

cleanup() {
  local rc=$?
  set +e
  if [ -n "$admin_url" ]; then
    q "$admin_url" "DROP DATABASE IF EXISTS \"$restore_db\" WITH (FORCE)" >/dev/null 2>&1 &&
      echo "dropped the restored copy $restore_db"
    if [ -n "$scratch_source" ]; then
      q "$admin_url" "DROP DATABASE IF EXISTS \"$scratch_source\" WITH (FORCE)" >/dev/null 2>&1 &&
        echo "dropped the scratch source $scratch_source"
    fi
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "$source_url" ]; then
  server="${SCRATCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  scratch_source="et_backup_src_$(date +%Y%m%d%H%M%S)_$$"
  source_url="$(with_db "$server" "$scratch_source")"
  admin_url="$(with_db "$server" postgres)"
  echo "== seeding the scratch database $scratch_source through the API (DATABASE_URL not set)"
  timeout 600 node -r ts-node/register/transpile-only scripts/seed-scratch.ts "$source_url"
else
  admin_url="$(with_db "$source_url" postgres)"
fi
restore_url="$(with_db "$source_url" "$restore_db")"
source_db="$(db_of "$source_url")"

echo "== pg_dump -Fc $source_db ($("$PG_DUMP" --version))"
dump="$work/backup.dump"
t0=$(date +%s.%N)
timeout 3600 "$PG_DUMP" -Fc -f "$dump" -d "$source_url"
t1=$(date +%s.%N)
echo "dump: $(du -h "$dump" | cut -f1) in $(seconds "$t0" "$t1") s"
if [ -n "${KEEP_DUMP:-}" ]; then cp "$dump" "$KEEP_DUMP" && echo "copied to $KEEP_DUMP"; fi

echo "== pg_restore into a fresh database $restore_db"
q "$admin_url" "CREATE DATABASE \"$restore_db\""
timeout 3600 "$PG_RESTORE" --exit-on-error --no-owner -d "$restore_url" "$dump"
t2=$(date +%s.%N)
echo "restore: $(seconds "$t1" "$t2") s"

# Row counts of every table, in one statement (query_to_xml runs a count per table).
COUNTS_SQL="
SELECT format('%I.%I', table_schema, table_name) || '|' ||
       (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text
  FROM information_schema.tables
 WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
 ORDER BY 1"
# A checksum of a table's rows: md5 of every row's text, in a fixed (C collation) order.
checksum_sql() {
  echo "SELECT CASE WHEN to_regclass('public.$1') IS NULL THEN 'absent' ELSE
    (xpath('/row/h/text()', query_to_xml('SELECT md5(coalesce(string_agg(t::text, E''\\n'' ORDER BY t::text COLLATE \"C\"), '''')) AS h FROM public.$1 t', false, true, '')))[1]::text END"
}
SEQUENCES_SQL="SELECT schemaname || '.' || sequencename || '|' || coalesce(last_value::text, 'unset') FROM pg_sequences ORDER BY 1"
OBJECTS_SQL="
SELECT 'indexes|' || count(*) FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
UNION ALL SELECT 'constraints|' || count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
UNION ALL SELECT 'triggers|' || count(*) FROM pg_trigger WHERE NOT tgisinternal
UNION ALL SELECT 'functions|' || count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
UNION ALL SELECT 'views|' || count(*) FROM pg_views WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
UNION ALL SELECT 'materialized views|' || count(*) FROM pg_matviews
UNION ALL SELECT 'extensions|' || string_agg(extname, ',' ORDER BY extname) FROM pg_extension"

q "$source_url" "$COUNTS_SQL" >"$work/source.counts"
q "$restore_url" "$COUNTS_SQL" >"$work/restored.counts"

differences=0
tables=0
rows=0
echo
printf '%-40s %12s %12s  %s\n' "table" "source" "restored" ""
while IFS='|' read -r table n; do
  restored="$(awk -F'|' -v t="$table" '$1 == t { print $2 }' "$work/restored.counts")"
  mark="ok"
  if [ "$restored" != "$n" ]; then mark="DIFFERENT"; differences=$((differences + 1)); fi
  printf '%-40s %12s %12s  %s\n' "$table" "$n" "${restored:-missing}" "$mark"
  tables=$((tables + 1))
  rows=$((rows + n))
done <"$work/source.counts"
extra="$(cut -d'|' -f1 "$work/restored.counts" | grep -F -x -v -f <(cut -d'|' -f1 "$work/source.counts") || true)"
if [ -n "$extra" ]; then
  echo "tables only in the restored copy: $extra"
  differences=$((differences + 1))
fi

echo
printf '%-40s %s\n' "checksum of rows (md5)" "source = restored"
checksums=0
for table in $CHECKSUM_TABLES; do
  a="$(q "$source_url" "$(checksum_sql "$table")")"
  [ "$a" = "absent" ] && continue
  b="$(q "$restore_url" "$(checksum_sql "$table")")"
  mark="equal"
  if [ "$a" != "$b" ]; then mark="DIFFERENT ($b)"; differences=$((differences + 1)); fi
  printf '%-40s %s %s\n' "$table" "$a" "$mark"
  checksums=$((checksums + 1))
done

echo
if diff <(q "$source_url" "$SEQUENCES_SQL") <(q "$restore_url" "$SEQUENCES_SQL") >"$work/seq.diff"; then
  echo "sequences: $(q "$source_url" "$SEQUENCES_SQL" | wc -l) at the same position"
else
  echo "sequences DIFFER:"; cat "$work/seq.diff"; differences=$((differences + 1))
fi
if diff <(q "$source_url" "$OBJECTS_SQL") <(q "$restore_url" "$OBJECTS_SQL") >"$work/obj.diff"; then
  echo "schema objects: $(q "$source_url" "$OBJECTS_SQL" | tr '\n' ' ')(same in both)"
else
  echo "schema objects DIFFER:"; cat "$work/obj.diff"; differences=$((differences + 1))
fi

echo
if [ "$differences" -ne 0 ]; then
  echo "FAILED: $differences difference(s) between $source_db and its restored copy"
  exit 1
fi
echo "ok: $tables tables, $rows rows, $checksums table checksums, sequences and schema objects identical after pg_dump -Fc / pg_restore"
