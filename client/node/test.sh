#!/usr/bin/env bash
# Builds @captoken/client and runs its end-to-end test (Node's built-in test
# runner) against the real server and CLI binaries, which the test starts
# itself on a free loopback port.
#
#   CAPTOKEN_SERVER  the server binary (default <repo>/bazel-bin/service/server)
#   CAPTOKEN_CLI     the CLI binary (default <repo>/bazel-bin/client/cli/captoken)
#
# When neither is set and the default binaries are missing, they are built
# with Bazel first (with $CAPTOKEN_BAZEL_FLAGS, like ./dev).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [[ -z ${CAPTOKEN_SERVER:-} && -z ${CAPTOKEN_CLI:-} ]] &&
   [[ ! -x $repo/bazel-bin/service/server || ! -x $repo/bazel-bin/client/cli/captoken ]]; then
  read -r -a flags <<<"${CAPTOKEN_BAZEL_FLAGS:-}"
  (cd "$repo" && bazel build --ui_event_filters=-info --noshow_progress "${flags[@]}" \
    //service:server //client/cli:captoken)
fi

"$here/build.sh"
cd "$here"
node --test dist/test/*.test.js
