#!/usr/bin/env bash
# The store tests of docs/stores.md on their own (they also run in CI): the PostgreSQL primary stopped and its replica
# promoted under load, the replica-lag test of the read pool, and the Redis Sentinel and Cluster tests. Each prints
# its per-second timeline of statuses. Needs Debian's redis-server/redis-cli and PostgreSQL 15 binaries with runuser;
# the tests start and stop their own servers on free ports (the suite's PostgreSQL and Redis are used as usual).
# Usage: bench/failover.sh [test classes, comma-separated]    Full Maven output: target/failover.log
set -uo pipefail
cd "$(dirname "$0")/.."
tests="${1:-PostgresFailoverIntegrationTests,ReadReplicaIntegrationTests,RedisSentinelIntegrationTests,RedisClusterIntegrationTests}"
mkdir -p target
./mvnw -B test -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false \
  > target/failover.log 2>&1
status=$?
grep -E "failover:|read pool:|cluster:|^t= |Tests run:|FAILURE|expected|but was" target/failover.log
exit "$status"
