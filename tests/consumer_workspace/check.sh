#!/usr/bin/env bash
# Builds tests/consumer_workspace, a separate Bazel workspace that depends on
# captoken the way docs/token-library.md tells users to, and checks that its
# program prints, byte for byte, the token twilio-python made for the same
# calls (tests/vectors/python/py5_cc10_incoming_then_outgoing.json).
#
# Usage: tests/consumer_workspace/check.sh [bazel flags...]
# It uses its own output base and removes it afterwards.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
output_base=$(mktemp -d /tmp/captoken-consumer.XXXXXX)
cleanup() {
  (cd "$here" && bazel --output_base="$output_base" shutdown) >/dev/null 2>&1 || true
  rm -rf "$output_base"
}
trap cleanup EXIT

vector=$repo/tests/vectors/python/py5_cc10_incoming_then_outgoing.json
read -r app client now expected < <(/usr/bin/python3 - "$vector" <<'PY'
import json, sys
case = json.load(open(sys.argv[1]))
(_, (client,), _), (_, (app,), _) = case["inputs"]["calls"]
print(app, client, int(case["now"]), case["token"])
PY
)
# The vectors' account and auth token (tests/vectors/SDK_VECTORS_README.md).
account=AC0123456789abcdef0123456789abcdef
auth_token=f0e1d2c3b4a5968778695a4b3c2d1e0f

cd "$here"
log=$output_base.log
if ! token=$(bazel --output_base="$output_base" run --symlink_prefix=/ "$@" \
  //:seed_calls -- "$account" "$auth_token" "$client" "$app" "$now" 2>"$log"); then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
if [[ $token != "$expected" ]]; then
  echo "consumer workspace: the token differs from twilio-python's" >&2
  echo "  got:      $token" >&2
  echo "  expected: $expected" >&2
  exit 1
fi
echo "consumer workspace: @captoken//service/token built and signed twilio-python's token byte for byte"
