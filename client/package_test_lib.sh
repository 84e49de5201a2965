# Sourced by client/<language>/package_test.sh: what every package test
# shares. Each builds its client's package as its ecosystem does, installs
# it into a fresh project under $work (a temporary directory outside the
# repository, so nothing resolves through the source tree), and runs a tiny
# program there that mints and verifies a token against a real development
# server.
#
# After sourcing: $repo, $version (the repository's VERSION, which every
# package must carry), $work (removed on exit), $address (the server,
# running until exit), $cli, and
#   check_version WHAT ACTUAL  fails unless ACTUAL, the version the built or
#                              installed package reports, is $version.
#   check_minted OUTPUT_FILE   the program's first line must be a token the
#                              development auth token verifies (with the CLI,
#                              independently of the client), its second "valid".
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# listening_port: the port from the server's "listening" log line.
source "$repo/tests/testing/listening_port.sh"
server=${CAPTOKEN_SERVER:-$repo/bazel-bin/service/server}
cli=${CAPTOKEN_CLI:-$repo/bazel-bin/client/cli/captoken}
for bin in "$server" "$cli"; do
  [[ -x $bin ]] || {
    echo "package test: $bin is missing; build it with:" >&2
    echo "  cd $repo && bazel build //service:server //client/cli:captoken" >&2
    exit 1
  }
done

version=$(<"$repo/VERSION")
check_version() {
  [[ $2 == "$version" ]] || {
    echo "package test: $1 is version '$2', but VERSION says '$version'" >&2
    exit 1
  }
}

work=$(mktemp -d "${TMPDIR:-/tmp}/captoken-package.XXXXXX")
case $work in "$repo"/*) echo "package test: $work is inside the repository" >&2; exit 1 ;; esac
server_pid=
package_test_cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap package_test_cleanup EXIT

# The development default (no --config) on a free loopback port. The log
# exists before the server starts: the redirect below happens in the
# background child, and listening_port may read it first ("sed: can't read").
: >"$work/server.err"
"$server" --listen=127.0.0.1:0 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
port=$(listening_port "$work/server.err" "$server_pid") || {
  echo "package test: the development server did not start:" >&2
  cat "$work/server.err" >&2
  exit 1
}
address=127.0.0.1:$port

check_minted() {
  local out=$1 token verdict
  token=$(sed -n 1p "$out")
  verdict=$(sed -n 2p "$out")
  [[ $verdict == valid ]] || {
    echo "package test: the installed client did not report its token valid:" >&2
    cat "$out" >&2
    return 1
  }
  CAPTOKEN_DEV_AUTH_TOKEN=captoken-development-auth-token "$cli" verify \
    --auth-token-env=CAPTOKEN_DEV_AUTH_TOKEN \
    --account-sid=AC00000000000000000000000000000000 "$token" >/dev/null || {
    echo "package test: the installed client's token does not verify with the CLI" >&2
    return 1
  }
}
