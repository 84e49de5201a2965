#!/usr/bin/env bash
# Runs each language's example (the dozen lines client/README.md links to)
# against a real development server, so an example that stops compiling or
# stops working fails CI instead of the first user who copies it. Each must
# print a capability token on its first line of standard output, and that
# token must verify with the development account's auth token.
#
# Needs the clients built (each client/<language>/test.sh builds its own) and
#   CAPTOKEN_SERVER  server binary (default <repo>/bazel-bin/service/server)
#   CAPTOKEN_CLI     CLI binary    (default <repo>/bazel-bin/client/cli/captoken)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
# listening_port: the port from the server's "listening" log line.
source "$repo/tests/testing/listening_port.sh"
server=${CAPTOKEN_SERVER:-$repo/bazel-bin/service/server}
cli=${CAPTOKEN_CLI:-$repo/bazel-bin/client/cli/captoken}

work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The development default (no --config), on a free loopback port: the port
# is in the "listening" log line.
"$server" --listen=127.0.0.1:0 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
port=$(listening_port "$work/server.err" "$server_pid") || port=
if [[ -z $port ]]; then
  echo "examples_test: the development server did not start:" >&2
  cat "$work/server.err" >&2
  exit 1
fi
address=127.0.0.1:$port

java_classpath() {
  local build=$here/java/build
  printf '%s' "$build/example-classes:$build/captoken-client.jar:$(cat "$build/runtime-classpath.txt")"
}

run_example() {
  case $1 in
    python) PYTHONPATH=$here/python /usr/bin/python3 "$here/python/example.py" "$address" ;;
    go) (cd "$here/go" && GO_CLIENT_DIR=$here/go && . ./env.sh && go run ./example "$address") ;;
    node) node "$here/node/dist/example.js" "$address" ;;
    java) java -cp "$(java_classpath)" Example "$address" ;;
    ruby) ruby -I"$here/ruby/lib" "$here/ruby/example.rb" "$address" ;;
  esac
}

export CAPTOKEN_EXAMPLE_AUTH_TOKEN=captoken-development-auth-token
failures=0
for language in python go node java ruby; do
  if ! run_example "$language" >"$work/$language.out" 2>"$work/$language.err"; then
    echo "FAIL: the $language example exited non-zero:"
    cat "$work/$language.err"
    failures=$((failures + 1))
    continue
  fi
  token=$(head -n 1 "$work/$language.out")
  if ! "$cli" verify --auth-token-env=CAPTOKEN_EXAMPLE_AUTH_TOKEN \
      --account-sid=AC00000000000000000000000000000000 "$token" \
      >"$work/$language.verify" 2>&1; then
    echo "FAIL: the $language example's token does not verify:"
    cat "$work/$language.verify"
    failures=$((failures + 1))
    continue
  fi
  echo "ok: the $language example minted a token that verifies"
done
((failures == 0))
