#!/usr/bin/env bash
# The whole test suite, in the order that fails fastest. `./dev test` runs it
# (after installing packages), and CI runs `./dev test` through .ci/run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

read -r -a flags <<<"${CAPTOKEN_BAZEL_FLAGS:-}"
step() { printf '\n=== %s\n' "$*"; }

step "the wire contract: buf lint, and buf breaking against the previous commit"
(cd tools/buf && npm ci --silent --no-audit --no-fund --ignore-scripts)
buf=tools/buf/node_modules/.bin/buf
(cd proto && "../$buf" lint)
base=${CAPTOKEN_BUF_BASE:-HEAD~1}
if git rev-parse --verify --quiet "$base:proto/buf.yaml" >/dev/null; then
  "$buf" breaking proto --against ".git#ref=$base,subdir=proto"
else
  echo "no proto/buf.yaml at $base: nothing to compare with"
fi

step "unit, known-answer and end-to-end tests (bazel test //...)"
bazel test "${flags[@]}" //...

step "the token library against BoringSSL (bazel test --config=boringssl)"
bazel test "${flags[@]}" --config=boringssl //service/token/...

step "the node profile agrees with the shared reference implementation"
node tests/vectors/spec_check.js tests/vectors/node

# The language clients' end-to-end tests start the real server and CLI.
bazel build "${flags[@]}" //service:server //client/cli:captoken
bin=$(bazel info "${flags[@]}" bazel-bin 2>/dev/null)
export CAPTOKEN_SERVER=$bin/service/server CAPTOKEN_CLI=$bin/client/cli/captoken
for language in python go node java; do
  step "the $language client against the real server (client/$language/test.sh)"
  "client/$language/test.sh"
done

echo
echo "All tests passed."
