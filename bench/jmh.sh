#!/usr/bin/env bash
# JMH benchmarks of the hot path pieces (src/test/java/io/s4e/gateway/bench).
#   bench/jmh.sh                      all benchmarks, default iterations
#   bench/jmh.sh -f 1 -wi 2 -i 3 Jwt  JMH options and a name filter, passed through
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
exec java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" org.openjdk.jmh.Main "$@"
