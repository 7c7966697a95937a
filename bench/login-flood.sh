#!/usr/bin/env bash
# A real login's time to a 200 during a password-hashing flood: 400 wrong-password logins from 40 addresses (10 each,
# inside the per-IP limit) at once, against a gateway with the password-check bulkhead (the defaults) and against one
# configured as before it (as many hashing threads as processors, at least two, and an unbounded queue). The real
# client honours Retry-After. Prints the "login-flood:" lines of PasswordFloodIntegrationTests.
#   bench/login-flood.sh
# Needs the PostgreSQL and Redis of the tests (127.0.0.1:5432 and :6379).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B test -Dtest=PasswordFloodIntegrationTests -Ds4e.bench.login-flood=true \
    -Dsurefire.failIfNoSpecifiedTests=false 2>&1 | grep -E "^login-flood:|Tests run|FAIL" || true
