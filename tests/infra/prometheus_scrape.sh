#!/usr/bin/env bash
# Debian's Prometheus scrapes a real server, with deploy/prometheus's rules
# loaded, and after known traffic its queries return the series
# docs/server.md#metrics promises, with the counts that traffic makes:
#
#   3 capability tokens minted, 2 malformed requests, 1 for an account the
#   server does not serve, 1 whoami, then a reload that fails (its secret
#   file gone): CaptokenReloadFailed fires in Prometheus itself.
#
# Every rule evaluates without error against the real series, and every
# metric a rule names is one the server exports (a typo would leave an
# alert that can never fire, which promtool's unit tests cannot see: they
# feed the rules the names the rules expect).
#
#   tests/infra/prometheus_scrape.sh
#
# Binaries: $CAPTOKEN_SERVER and $CAPTOKEN_CLI, default bazel-bin's (build
# with `bazel build //:server //:captoken`). Needs Debian's prometheus.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$repo/tests/testing/listening_port.sh"
server_bin=${CAPTOKEN_SERVER:-$repo/bazel-bin/service/server}
cli=${CAPTOKEN_CLI:-$repo/bazel-bin/client/cli/captoken}
prom_api() { /usr/bin/python3 "$repo/tests/infra/prom_api.py" "$prom" "$@"; }

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for log in "$work"/*.log; do echo "--- $log" >&2; tail -20 "$log" >&2; done
  exit 1
}

# A config with its auth token in a file, so that removing the file makes a
# reload fail; reloads only on SIGHUP, so that exactly one is counted.
account=AC00000000000000000000000000000000
echo "prometheus-test-auth-token" >"$work/auth-token"
cat >"$work/config.textproto" <<CONFIG
listen_address: "127.0.0.1:0"
accounts {
  account_sid: "$account"
  auth_token { file: "$work/auth-token" }
}
secret_watch_interval { seconds: 0 }
CONFIG
"$server_bin" --config="$work/config.textproto" \
  --metrics_listen=127.0.0.1:0 2>"$work/server.log" &
server_pid=$!
pids+=("$server_pid")
port=$(listening_port "$work/server.log" "$server_pid") ||
  fail "the server did not start"
metrics_port=$(sed -n 's/.*"metrics_port":\([0-9]*\).*/\1/p' "$work/server.log")

# Prometheus cannot listen on port 0 and say which port it got: take a free
# one from the kernel (released just before Prometheus binds it).
prom_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket();
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
prom=http://127.0.0.1:$prom_port
cat >"$work/prometheus.yml" <<CONFIG
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $repo/deploy/prometheus/captoken-alerts.yml
scrape_configs:
  - job_name: captoken
    static_configs:
      - targets: ["127.0.0.1:$metrics_port"]
CONFIG
prometheus --config.file="$work/prometheus.yml" \
  --storage.tsdb.path="$work/tsdb" --web.listen-address="127.0.0.1:$prom_port" \
  2>"$work/prometheus.log" &
pids+=("$!")

# wait_for QUERY VALUE: polls (up to 30 s) until QUERY's sample is VALUE.
wait_for() {
  local got=none i
  for ((i = 0; i < 150; i++)); do
    got=$(prom_api value "$1" 2>/dev/null) || got=unreachable
    [[ $got == "$2" ]] && { echo "ok  $1 = $2"; return 0; }
    sleep 0.2
  done
  fail "$1: expected $2, got $got"
}

wait_for 'up{job="captoken"}' 1

target=127.0.0.1:$port
mint() { "$cli" mint capability --server="$target" --request="$1" >/dev/null; }
good='{"account_sid":"'$account'","scopes":[{"client_incoming":{"client_name":"alice"}}]}'
for _ in 1 2 3; do mint "$good" || fail "a good request was refused"; done
for _ in 1 2; do
  ! mint '{"account_sid":"ACnot-a-sid","scopes":[{"client_incoming":{"client_name":"a"}}]}' 2>/dev/null ||
    fail "a malformed request was accepted"
done
! mint '{"account_sid":"AC11111111111111111111111111111111","scopes":[{"client_incoming":{"client_name":"a"}}]}' 2>/dev/null ||
  fail "a request for an account not served was accepted"
"$cli" whoami --server="$target" >/dev/null || fail "whoami failed"

calls='captoken_rpc_calls_total{job="captoken",method="MintCapabilityToken"'
wait_for "$calls,code=\"OK\"}" 3
wait_for "$calls,code=\"INVALID_ARGUMENT\"}" 2
wait_for "$calls,code=\"PERMISSION_DENIED\"}" 1
wait_for 'captoken_rpc_calls_total{method="GetCallerPolicy",code="OK"}' 1
wait_for 'captoken_tokens_minted_total{kind="capability",profile="twilio-python"}' 3
wait_for 'sum(captoken_tokens_minted_total{kind!="capability"})' 0
wait_for 'captoken_refusals_total{reason="invalid_request"}' 2
wait_for 'captoken_refusals_total{reason="account_denied"}' 1
# Every reason exists from start-up (15 of them), at zero if not seen.
wait_for 'count(captoken_refusals_total)' 15
wait_for 'sum(captoken_refusals_total)' 3
wait_for 'captoken_rpc_latency_seconds_count{method="MintCapabilityToken"}' 6
wait_for 'captoken_rpc_latency_seconds_bucket{method="MintCapabilityToken",le="+Inf"}' 6
wait_for 'count(captoken_secret_age_seconds{secret="accounts[0].auth_token"} > 0)' 1
wait_for 'captoken_secret_reloads_total{outcome="failed"}' 0

# A rotation that does not take: the secret file is gone at the reload.
rm "$work/auth-token"
kill -HUP "$server_pid"
wait_for 'captoken_secret_reloads_total{outcome="failed"}' 1
wait_for 'captoken_secret_reloads_total{outcome="ok"}' 0
for ((i = 0; i < 150; i++)); do
  prom_api firing | grep -qx CaptokenReloadFailed && break
  sleep 0.2
done
((i < 150)) || fail "CaptokenReloadFailed did not fire"
echo "ok  CaptokenReloadFailed fires"
# The failed reload kept the old secret: the server still mints.
mint "$good" || fail "the server stopped minting after a failed reload"

unhealthy=$(prom_api unhealthy)
[[ -z $unhealthy ]] || fail "rules that do not evaluate: $unhealthy"
rule_names=$(grep -o 'captoken_[a-z_]*' "$repo/deploy/prometheus/captoken-alerts.yml" |
  sort -u)
held=$(prom_api names)
for name in $rule_names; do
  grep -qx "$name" <<<"$held" || fail "the rules name $name, which the server does not export"
done
echo "ok  every metric the rules name is exported: $(echo $rule_names)"
echo "PASS: Prometheus scraped the server; the promised series hold the traffic's counts"
