#!/usr/bin/env bash
# deploy/haproxy/haproxy.cfg, run as shipped, in front of three real
# replicas on loopback:
#
#   - each caller's certificate identity reaches the server through the
#     proxy (whoami with two SPIFFE certificates and a CN-only one);
#   - calls go round robin: 30 mints land 10 on each replica;
#   - all three replicas restart in turn (SIGTERM: drain, exit 0, start
#     again) while 8 client threads mint through the proxy without retries,
#     and not one call fails.
#
#   tests/infra/haproxy_rolling_restart.sh
#
# Binaries: $CAPTOKEN_SERVER and $CAPTOKEN_CLI, default bazel-bin's (build
# with `bazel build //:server //:captoken`). Needs Debian's haproxy,
# python3-grpcio, protobuf-compiler and openssl.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$repo/tests/testing/listening_port.sh"
server_bin=${CAPTOKEN_SERVER:-$repo/bazel-bin/service/server}
cli=${CAPTOKEN_CLI:-$repo/bazel-bin/client/cli/captoken}
config=$repo/deploy/haproxy/haproxy.cfg

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
  for log in "$work"/*.log; do echo "--- $log" >&2; tail -15 "$log" >&2; done
  exit 1
}

# The health check's bytes in the config are the ones their derivation
# gives: a hand edit of the hex would otherwise go unnoticed until a
# replica never came up.
grep -q "send-binary $(/usr/bin/python3 "$repo/tests/infra/h2_health_check.py" hex)\$" \
  "$config" || fail "$config: the health check is not h2_health_check.py's"

"$repo/tests/testing/make_test_pki.sh" "$work/pki" >/dev/null
pki=$work/pki
cat "$pki/server.pem" "$pki/server.key" >"$work/proxy.pem"

# Fixed ports, so that a restarted replica is where the proxy expects it.
read -r -a ports < <(/usr/bin/python3 -c 'import socket
socks = [socket.socket() for _ in range(4)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')

echo "proxy-test-auth-token" >"$work/auth-token"
start_replica() {  # N LOG: starts replica N, waits until it listens
  local n=$1 pid
  cat >"$work/replica$n.textproto" <<CONFIG
listen_address: "127.0.0.1:${ports[$n]}"
transport { mesh_sidecar { trust_forwarded_client_cert: true } }
accounts {
  account_sid: "AC00000000000000000000000000000000"
  auth_token { file: "$work/auth-token" }
}
callers {
  identity: "spiffe://example.org/ns/web/sa/frontend"
  accounts: "*"
  scope_kinds: [SCOPE_KIND_CLIENT_INCOMING]
}
callers { identity: "spiffe://example.org/ns/batch/sa/job" accounts: "*" }
callers { identity: "legacy-service" accounts: "*" }
CONFIG
  # --drain_grace: at least the proxy's check interval (250 ms) times its
  # `fall` (1), with room for a loaded machine.
  "$server_bin" --config="$work/replica$n.textproto" --drain_grace=2s \
    --drain_timeout=5s 2>"$2" &
  pid=$!
  pids+=("$pid")
  replica_pid[$n]=$pid
  listening_port "$2" "$pid" >/dev/null || fail "replica $n did not start"
}
declare -a replica_pid
for n in 1 2 3; do start_replica "$n" "$work/replica$n.log"; done

export CAPTOKEN_HAPROXY_DIR=$repo/deploy/haproxy
export CAPTOKEN_HAPROXY_LISTEN=127.0.0.1:${ports[0]}
export CAPTOKEN_HAPROXY_ADMIN=$work/haproxy.sock
export CAPTOKEN_TLS_CERT=$work/proxy.pem CAPTOKEN_TLS_CLIENT_CA=$pki/ca.pem
export CAPTOKEN_REPLICA_1=127.0.0.1:${ports[1]}
export CAPTOKEN_REPLICA_2=127.0.0.1:${ports[2]}
export CAPTOKEN_REPLICA_3=127.0.0.1:${ports[3]}
haproxy -db -f "$config" >"$work/haproxy.log" 2>&1 &
pids+=("$!")

# replica_state N: the proxy's view of replica N (UP, DOWN, ...).
replica_state() {
  /usr/bin/python3 - "$work/haproxy.sock" "$1" <<'PY' 2>/dev/null || echo unknown
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show stat\n")
data = b""
while chunk := s.recv(65536):
    data += chunk
for line in data.decode().splitlines():
    fields = line.split(",")
    if fields[:2] == ["replicas", "replica" + sys.argv[2]]:
        print(fields[17])
PY
}
wait_state() {  # N STATE
  local i
  for ((i = 0; i < 150; i++)); do
    [[ $(replica_state "$1") == "$2" ]] && return 0
    sleep 0.1
  done
  fail "replica $1 is $(replica_state "$1") to the proxy, not $2"
}
for n in 1 2 3; do wait_state "$n" UP; done
echo "ok  the proxy sees three replicas UP by their gRPC health"

proxy=127.0.0.1:${ports[0]}
as() {  # CERT ARGS...: the CLI through the proxy, with CERT's certificate
  local cert=$1
  shift
  "$cli" "$@" --server="$proxy" --tls-ca-file="$pki/ca.pem" \
    --tls-cert-file="$pki/$cert.pem" --tls-key-file="$pki/$cert.key"
}
for pair in frontend=spiffe://example.org/ns/web/sa/frontend \
    batch=spiffe://example.org/ns/batch/sa/job legacy=legacy-service; do
  cert=${pair%%=*} expected=${pair#*=}
  answer=$(as "$cert" whoami) || fail "whoami as $cert failed"
  grep -q "\"identity\":\"$expected\",\"identity_source\":\"forwarded_client_cert\"" \
    <<<"$answer" || fail "whoami as $cert: $answer"
  echo "ok  the server sees $cert's certificate as $expected"
done
# The CN never stands in for a SPIFFE ID: a certificate with two URIs is
# forwarded whole, and refused, as with TLS at the server itself.
if answer=$(as two-uris whoami 2>&1); then fail "two-uris was accepted: $answer"; fi
grep -q 'UNAUTHENTICATED' <<<"$answer" || fail "two-uris: $answer"
echo "ok  a certificate with a SPIFFE ID among two URIs is refused"

# A caller cannot name itself: a forged x-forwarded-client-cert sent
# through the proxy is dropped, and the server sees the certificate.
seen=$(/usr/bin/python3 "$repo/tests/infra/spoofed_xfcc.py" "$proxy" "$pki/ca.pem" \
  "$pki/frontend.pem" "$pki/frontend.key" spiffe://example.org/ns/batch/sa/job |
  protoc --decode=captoken.v1.GetCallerPolicyResponse \
    -I "$repo/proto" captoken/v1/token_service.proto) ||
  fail "the call with a forged header failed"
grep -q 'identity: "spiffe://example.org/ns/web/sa/frontend"' <<<"$seen" ||
  fail "with a forged header the server saw: $seen"
echo "ok  a forged x-forwarded-client-cert is dropped: the server sees the certificate"

request='{"account_sid":"AC00000000000000000000000000000000","scopes":[{"client_incoming":{"client_name":"alice"}}]}'
for _ in $(seq 30); do
  as frontend mint capability --request="$request" >/dev/null || fail "a mint failed"
done
for n in 1 2 3; do
  served=$(grep -c '"method":"MintCapabilityToken".*"caller":"spiffe://example.org/ns/web/sa/frontend".*"outcome":"OK"' \
    "$work/replica$n.log" || true)
  [[ $served == 10 ]] || fail "round robin: replica $n served $served of 30 mints"
done
echo "ok  round robin: 30 mints, 10 on each replica"

# The rolling restart, under load.
protoc --encode=captoken.v1.CapabilityRequest -I "$repo/proto" \
  captoken/v1/capability.proto >"$work/request.bin" <<'TEXT'
account_sid: "AC00000000000000000000000000000000"
scopes { client_incoming { client_name: "alice" } }
TEXT
/usr/bin/python3 "$repo/tests/infra/grpc_load.py" "$proxy" "$pki/ca.pem" \
  "$pki/frontend.pem" "$pki/frontend.key" "$work/request.bin" "$work/stop" 8 \
  >"$work/load.out" 2>"$work/load.log" &
load_pid=$!
pids+=("$load_pid")
sleep 1
for n in 1 2 3; do
  kill -TERM "${replica_pid[$n]}"
  status=0
  wait "${replica_pid[$n]}" || status=$?
  ((status == 0)) || fail "replica $n exited $status after SIGTERM"
  grep -q '"event":"draining"' "$work/replica$n.log" || fail "replica $n did not drain"
  start_replica "$n" "$work/replica$n-restarted.log"
  wait_state "$n" UP
  echo "ok  replica $n drained, exited 0, restarted and is back in rotation"
done
sleep 1
touch "$work/stop"
status=0
wait "$load_pid" || status=$?
result=$(cat "$work/load.out")
((status == 0)) || fail "calls failed during the rolling restart: $result"
for n in 1 2 3; do
  grep -q '"method":"MintCapabilityToken".*"outcome":"OK"' \
    "$work/replica$n-restarted.log" || fail "restarted replica $n served no call"
done
echo "ok  rolling restart of all three under load: $result"
echo "PASS: three replicas behind HAProxy: identities forwarded, round robin, 0 failed calls"
