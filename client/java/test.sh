#!/usr/bin/env bash
# Builds the Java client, then runs its end-to-end test (JUnit 4) against the
# real server binary, which the test starts itself on a free loopback port.
#
#   CAPTOKEN_SERVER, CAPTOKEN_CLI   the binaries; when either is unset, this
#                                   script first runs `bazel build` for the
#                                   defaults in bazel-bin/ (flags from
#                                   CAPTOKEN_BAZEL_FLAGS).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$here"
source ./classpath.sh

./build.sh

if [[ -z "${CAPTOKEN_SERVER:-}" || -z "${CAPTOKEN_CLI:-}" ]]; then
  read -r -a flags <<<"${CAPTOKEN_BAZEL_FLAGS:-}"
  echo "test.sh: bazel build //service:server //client/cli:captoken"
  (cd "$repo" && bazel build "${flags[@]}" //service:server //client/cli:captoken)
fi
export CAPTOKEN_SERVER="${CAPTOKEN_SERVER:-$repo/bazel-bin/service/server}"
export CAPTOKEN_CLI="${CAPTOKEN_CLI:-$repo/bazel-bin/client/cli/captoken}"

cp="build/captoken-client.jar:$(jars_to_classpath "${RUNTIME_JARS[@]}" "${TEST_JARS[@]}")"
rm -rf build/test-classes && mkdir -p build/test-classes
javac --release 11 -encoding UTF-8 -Xlint:-options -cp "$cp" -d build/test-classes \
  $(find src/test/java -name '*.java')

echo "test.sh: running the end-to-end test against $CAPTOKEN_SERVER"
java -Dfile.encoding=UTF-8 -cp "build/test-classes:$cp" \
  org.junit.runner.JUnitCore dev.captoken.client.TokenClientE2ETest \
  dev.captoken.client.TokensE2ETest
