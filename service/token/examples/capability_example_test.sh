#!/usr/bin/env bash
# Runs the example as its header shows and checks what it prints with
# `captoken verify`: a valid token for the account, for about 600 s, with
# the incoming scope for Alice and the outgoing scope for the application.
set -euo pipefail
example=$1 cli=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

export TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef
export TWILIO_AUTH_TOKEN=example-auth-token
app=AP0123456789abcdef0123456789abcdef

"$example" --help | grep -q '^usage: ' || fail "--help prints no usage"
if "$example" 2>/dev/null; then fail "no application SID was accepted"; fi
if TWILIO_ACCOUNT_SID=bad "$example" "$app" 2>/dev/null; then
  fail "a malformed account SID was accepted"
fi

token=$("$example" "$app")
verdict=$("$cli" verify --auth-token-env=TWILIO_AUTH_TOKEN \
  --account-sid="$TWILIO_ACCOUNT_SID" "$token") || fail "verify refused: $verdict"
echo "$verdict"
grep -q '"valid":true' <<<"$verdict" || fail "not valid"
grep -q '{"client_incoming":{"client_name":"Alice"}}' <<<"$verdict" ||
  fail "no incoming scope for Alice"
grep -q "{\"client_outgoing\":{\"application_sid\":\"$app\"" <<<"$verdict" ||
  fail "no outgoing scope for the application"
expire=$(grep -o '"expire_time":"[^"]*"' <<<"$verdict" | cut -d'"' -f4)
lifetime=$(($(date -d "$expire" +%s) - $(date +%s)))
# generate(expires=600): 600 s from when it was signed, a moment ago.
((lifetime > 500 && lifetime <= 600)) || fail "lives ${lifetime} s, not 600"

# Another auth token must not verify it.
if TWILIO_AUTH_TOKEN=another "$cli" verify --auth-token-env=TWILIO_AUTH_TOKEN \
  --account-sid="$TWILIO_ACCOUNT_SID" "$token" >/dev/null 2>&1; then
  fail "the token verified with another auth token"
fi
echo "PASS"
