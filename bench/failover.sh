#!/usr/bin/env bash
# Store failover runs under load (docs/stores.md): the PostgreSQL primary stopped and its replica promoted, and the
# replica-lag test of the read pool; the Redis Cluster and Sentinel tests (also in CI) with them. Each prints its
# per-second timeline of statuses. Needs Debian's redis-server and PostgreSQL 15 binaries and runuser; starts and
# stops its own servers on free ports; the machine's PostgreSQL and Redis are only used by the suite as usual.
# Usage: bench/failover.sh [test classes, comma-separated]
set -euo pipefail
cd "$(dirname "$0")/.."
tests="${1:-PostgresFailoverIntegrationTests,RedisSentinelIntegrationTests,RedisClusterIntegrationTests}"
./mvnw -B test -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false -Ds4e.test.excluded-groups=none \
  | grep -E "failover|cluster:|^t= |Tests run|FAIL|ERROR\]" || true
exit "${PIPESTATUS[0]}"
