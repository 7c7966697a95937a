#!/usr/bin/env bash
# Times the audit log's page query on a table of 10 million events: creates a scratch database, applies the
# gateway's migration V4 (the audit_log table and its indexes), fills it with generate_series (18 event names,
# 100,000 users, times spread over 400 days), then runs the statements AuditRepository.pageSql builds (first page and
# a page after a cursor, for each filter shape) with EXPLAIN (ANALYZE, BUFFERS), and drops the scratch database.
#   bench/audit-page-query.sh            ROWS=10000000 by default
#   ROWS=1000000 bench/audit-page-query.sh
# Needs psql and the PostgreSQL of the tests (127.0.0.1:5432, user postgres).
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-10000000}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
DB="s4e_audit_bench_$$"

psql -q -d test -c "CREATE DATABASE $DB"
trap 'psql -q -d test -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"' EXIT
run() { psql -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

run -f src/main/resources/db/migration/V4__audit_log.sql
echo "bench: filling $ROWS rows" >&2
start=$(date +%s)
run <<SQL
SET maintenance_work_mem = '256MB';
INSERT INTO audit_log (id, occurred_at, event, outcome, user_id, key_id, key_hint, client_ip, user_agent, request_id,
                       method, path, detail)
SELECT md5(g::text)::uuid,
       now() - (g * (400.0 * 86400 / $ROWS)) * interval '1 second',
       (ARRAY['login.success','login.failure','mfa.challenge','mfa.code_sent','mfa.success','mfa.failure',
              'session.refresh','session.logout','session.logout_all','key.created','key.revoked','key.rotated',
              'key.expired_use','user.created','user.changed','user.disabled','request.refused',
              'captcha.bypass'])[1 + (g % 18)],
       CASE WHEN g % 18 IN (1, 5, 12, 16) THEN 'failure' ELSE 'success' END,
       CASE WHEN g % 5 = 0 THEN NULL ELSE 1 + (g::bigint * 7919) % 100000 END,
       NULL, NULL, '10.0.' || (g % 250) || '.' || (g % 200), 'bench/1.0', 'req-' || g, 'POST',
       '/api/user/auth/login', '{"reason":"bad_password"}'::jsonb
FROM generate_series(1, $ROWS) AS g;
ANALYZE audit_log;
SQL
echo "bench: filled in $(( $(date +%s) - start )) s" >&2
run -c "SELECT pg_size_pretty(pg_total_relation_size('audit_log')) AS total_size, count(*) AS rows FROM audit_log"

# A cursor in the middle of the table, as the gateway would have issued it (time and id of a page's last event).
cursor=$(run -At -c "SELECT occurred_at || '|' || id FROM audit_log ORDER BY occurred_at DESC, id DESC OFFSET $((ROWS / 2)) LIMIT 1")
ct=${cursor%|*}
cid=${cursor#*|}
user=$(run -At -c "SELECT user_id FROM audit_log WHERE user_id IS NOT NULL LIMIT 1")
cols="id, occurred_at, event, outcome, user_id, key_id, key_hint, client_ip, user_agent, request_id, method, path, detail::text AS detail"

explain() { # label sql (inside a transaction that is rolled back)
  echo "== $1"
  printf 'BEGIN;\nEXPLAIN (ANALYZE, BUFFERS, COSTS OFF) %s;\nROLLBACK;\n' "$2" | run | grep -E 'Index|Seq Scan|Sort|Execution Time'
}
q="SELECT $cols FROM audit_log WHERE true"
tail=" ORDER BY occurred_at DESC, id DESC LIMIT 51"
explain "newest page, no filter" "$q$tail"
explain "event filter, first page" "$q AND event = 'login.failure'$tail"
explain "event filter, after a mid-table cursor" "$q AND event = 'login.failure' AND (occurred_at, id) < ('$ct', '$cid')$tail"
explain "user filter, first page" "$q AND user_id = $user$tail"
explain "user + event filter" "$q AND event = 'login.failure' AND user_id = $user$tail"
explain "event + since/until (one day), after a cursor" "$q AND event = 'request.refused' AND occurred_at >= now() - interval '201 days' AND occurred_at < now() - interval '200 days' AND (occurred_at, id) < ('$ct', '$cid')$tail"
explain "retention batch (delete 5000 oldest; rolled back)" "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE occurred_at < now() - interval '399 days' ORDER BY occurred_at, id LIMIT 5000)"
