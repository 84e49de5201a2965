#!/bin/sh
# Builds the Go client (build.sh: vendor, go generate, go build, go vet) and
# runs its tests, which start the real captoken server and call it.
#   CAPTOKEN_SERVER  server binary (default <repo>/bazel-bin/service/server)
#   CAPTOKEN_CLI     CLI binary    (default <repo>/bazel-bin/client/cli/captoken)
# When either is unset and its default is missing, both are built with Bazel.
# Extra arguments go to `go test` (e.g. -run Deadline -v).
set -eu
GO_CLIENT_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$GO_CLIENT_DIR/../.." && pwd)
export CAPTOKEN_SERVER="${CAPTOKEN_SERVER:-$REPO/bazel-bin/service/server}"
export CAPTOKEN_CLI="${CAPTOKEN_CLI:-$REPO/bazel-bin/client/cli/captoken}"
if [ ! -x "$CAPTOKEN_SERVER" ] || [ ! -x "$CAPTOKEN_CLI" ]; then
  (cd "$REPO" && bazel build //service:server //client/cli:captoken)
fi

"$GO_CLIENT_DIR/build.sh"
cd "$GO_CLIENT_DIR"
. ./env.sh
# -count=1: the tests run external binaries, which Go's test cache cannot see.
go test -count=1 "$@" ./...
