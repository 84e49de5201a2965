#!/usr/bin/env bash
# Generates the stubs, then runs the Ruby client's end-to-end tests against
# the real server binary ($CAPTOKEN_SERVER, default bazel-bin/service/server)
# and CLI ($CAPTOKEN_CLI, default bazel-bin/client/cli/captoken), with
# Debian's ruby, ruby-grpc and ruby-google-protobuf. Build those first:
#   bazel build //service:server //client/cli:captoken
# Extra arguments go to minitest (e.g. -n test_verify_each_kind -v).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
export CAPTOKEN_SERVER=${CAPTOKEN_SERVER:-$repo/bazel-bin/service/server}
export CAPTOKEN_CLI=${CAPTOKEN_CLI:-$repo/bazel-bin/client/cli/captoken}
for bin in "$CAPTOKEN_SERVER" "$CAPTOKEN_CLI"; do
  [[ -x $bin ]] || {
    echo "test.sh: $bin is missing; build it with:" >&2
    echo "  cd $repo && bazel build //service:server //client/cli:captoken" >&2
    exit 1
  }
done

"$here/build.sh" --no-gem
exec ruby -I"$here/lib" "$here/test/e2e_test.rb" "$@"
