#!/usr/bin/env bash
# The container image, built offline and run from its own root filesystem:
#
#   deploy/build_image_test.sh CLI      (as root; tests/run_all.sh runs it)
#
# 1. deploy/build-image.sh builds it into an OCI layout, and again into an
#    OCI archive: both hold the same image digest (a reproducible build).
# 2. Its config (user, exposed ports, entry point, arguments) is what
#    deploy/image.list says, which the Dockerfile must also say (the
#    dockerfile rule of //deploy:manifests_test); three OCI layers, each
#    the blob, the size and the uncompressed digest its manifest and
#    config say, and a complete tar.
# 3. Unpacked with umoci, it holds no shell, no package manager and no
#    executable but the listed binaries, and /etc/passwd knows its user.
# 4. The server starts from that root as a container runtime would start it:
#    the image's entry point and arguments, chrooted into the unpacked root
#    mounted read-only, as the numeric user, with no capabilities and
#    no_new_privs, a fresh /tmp, /proc and /dev, and the config and secret
#    files mounted read-only where deploy/kubernetes/ mounts them: the
#    config, the server's TLS files, the probe's certificate, the account's
#    Secret. So a library or file missing from the image fails here.
# 5. Over mutual TLS, as the base manifests serve: the readiness probe of
#    the manifests runs inside the image with the probe's certificate; CLI
#    (the host build of the captoken command) mints a token with a caller's
#    certificate and verifies it with the account's auth token, and is
#    refused with the probe's certificate (no policy names it); the metrics
#    port answers.
# 6. SIGTERM drains it and it exits 0.
#
# Running the image with podman is refused in the sandboxes this repository
# is built in (setrlimit(RLIMIT_NPROC)), hence chroot in a mount namespace.
# Everything it creates is under one temporary directory, removed at exit;
# the mounts live in the server's own mount namespace and end with it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if (($# != 1)); then
  echo "usage: $0 CLI" >&2
  exit 2
fi
cli=$(realpath "$1")
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
((EUID == 0)) || fail "needs root: the image's files have owners, and it mounts and chroots"
start=$SECONDS
step() { echo "--- $* (at $((SECONDS - start)) s)"; }

work=$(mktemp -d /tmp/captoken-image-test.XXXXXX)
server_pid=
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step "building the image offline (deploy/build-image.sh)"
deploy/build-image.sh "oci:$work/oci:captoken"

step "built again, as an OCI archive: the same image digest"
deploy/build-image.sh "oci-archive:$work/image.tar"
mkdir "$work/archive"
tar -C "$work/archive" -xf "$work/image.tar" ./index.json
# Unnamed, it is named after VERSION, as the manifests pin it.
grep -q "\"org.opencontainers.image.ref.name\":\"captoken:$(<VERSION)\"" "$work/archive/index.json" ||
  fail "the archive's image is not named captoken:$(<VERSION): $(<"$work/archive/index.json")"
first=$(grep -o '"digest":"sha256:[0-9a-f]*"' "$work/oci/index.json")
second=$(grep -o '"digest":"sha256:[0-9a-f]*"' "$work/archive/index.json")
[[ -n $first && $first == "$second" ]] ||
  fail "two builds of the same tree made different images: $first, $second"
echo "both builds: $first"

step "its config against deploy/image.list"
deploy/oci_image_config.py "$work/oci" captoken >"$work/config"
expected=$({ grep -E '^(user|expose|entrypoint|cmd) ' deploy/image.list; echo "layers 3"; } | sort)
actual=$(grep -Ev '^env ' "$work/config" | sort)
if [[ $actual != "$expected" ]]; then
  diff <(echo "$expected") <(echo "$actual") || true
  fail "the image's config (+) is not what deploy/image.list says (-)"
fi
IFS=: read -r uid gid <<<"$(awk '$1 == "user" {print $2}' "$work/config")"
((uid > 0 && gid > 0)) || fail "the image runs as uid $uid, gid $gid: not a non-root user"
read -r -a entrypoint <<<"$(sed -n 's/^entrypoint //p' "$work/config")"
read -r -a cmd <<<"$(sed -n 's/^cmd //p' "$work/config")"

step "its root filesystem (umoci unpack)"
umoci unpack --image "$work/oci:captoken" "$work/bundle" >/dev/null
root=$work/bundle/rootfs
found=$(find "$root" ! -type d \( -name sh -o -name bash -o -name dash -o -name busybox \
  -o -name dpkg -o -name apt -o -name apt-get \) -printf '/%P\n')
[[ -z $found ]] || fail "the image has a shell or a package manager: $found"
executables=$(find "$root" -type f -perm /111 ! -name '*.so' ! -name '*.so.*' -printf '/%P\n' | sort)
listed=$(awk '$1 == "binary" {print $3}' deploy/image.list | sort)
[[ $executables == "$listed" ]] ||
  fail "the image's executables are not the listed binaries:" $executables
grep -q "^[a-z]*:x:$uid:$gid:" "$root/etc/passwd" || fail "/etc/passwd has no user $uid"
[[ -d $root/tmp ]] || fail "the image has no /tmp to mount a tmpfs on"

# What deploy/kubernetes/base/deployment.yaml mounts, with its modes
# (defaultMode 0440, fsGroup 65532): the config, the server's TLS Secret
# and the probe's under it, and the account's Secret. The test PKI's
# "frontend" is the caller; "legacy", which no policy names, the probe.
auth_token=captoken-image-test-auth-token
account=AC0123456789abcdef0123456789abcdef
pki=$work/pki
tests/testing/make_test_pki.sh "$pki" >/dev/null 2>&1 || fail "could not make the test PKI"
frontend=spiffe://example.org/ns/web/sa/frontend
mkdir -p "$work/etc-captoken" "$work/tls" "$work/probe" "$work/secret"
cat >"$work/etc-captoken/config.textproto" <<CONFIG
listen_address: "127.0.0.1:0"
transport { tls {
  certificate_file: "/etc/captoken/tls/tls.crt"
  private_key_file: "/etc/captoken/tls/tls.key"
  client_ca_file: "/etc/captoken/tls/ca.crt"
} }
accounts {
  account_sid: "$account"
  auth_token { file: "/var/run/secrets/captoken/main/auth-token" }
}
callers {
  identity: "$frontend"
  accounts: "$account"
  scope_kinds: [SCOPE_KIND_CLIENT_INCOMING]
}
CONFIG
# The mount points of the TLS Secrets inside the config's mount.
mkdir "$work/etc-captoken/tls" "$work/etc-captoken/probe"
cp "$pki/server.pem" "$work/tls/tls.crt"
cp "$pki/server.key" "$work/tls/tls.key"
cp "$pki/ca.pem" "$work/tls/ca.crt"
cp "$pki/legacy.pem" "$work/probe/tls.crt"
cp "$pki/legacy.key" "$work/probe/tls.key"
echo "$auth_token" >"$work/secret/auth-token"
chgrp -R "$gid" "$work/etc-captoken" "$work/tls" "$work/probe" "$work/secret"
chmod 0440 "$work/etc-captoken/config.textproto" "$work/tls"/* "$work/probe"/* \
  "$work/secret/auth-token"
# The mount points, as a runtime makes them. /var/run is a link to /run,
# written absolute (/run), which on this side would leave the image: the
# secret's mount point goes under the image's /run itself.
mkdir -p "$root/etc/captoken" "$root/run/secrets/captoken/main"

# stays_in_namespace DIR: whether a mount made under DIR in a new mount
# namespace, with propagation left as it is, stays out of this one. A
# throw-away tmpfs is mounted there and looked for from here.
stays_in_namespace() {
  local probe=$1/propagation-probe said=$1/propagation-probe.said pid stays=1
  mkdir "$probe"
  unshare --mount --propagation unchanged -- sh -c \
    'mount -t tmpfs -o size=4k captoken-probe "$1" && echo mounted >"$2" && exec sleep 30' \
    probe "$probe" "$said" &
  pid=$!
  for _ in $(seq 100); do
    [[ -s $said ]] && break
    sleep 0.05
  done
  if [[ ! -s $said ]]; then
    stays=0  # the probe could not mount: nothing is known
  elif mountpoint -q "$probe"; then
    stays=0
    umount "$probe"
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rmdir "$probe"
  ((stays == 1))
}

# The server's mounts must never reach this mount namespace. Where "/" is a
# mount point, the new namespace's mounts are all made private (unshare
# --propagation private). In a plain chroot ("/" a directory inside a mount
# the chroot cannot see, as ../shared/tools/fresh-machine.sh runs ./dev
# test) that fails, and the mount that holds the work directory cannot be
# named to make it private: leave propagation as it is, but only once a
# probe has shown that a mount made there stays in its namespace.
if mountpoint -q /; then
  propagation=private
elif stays_in_namespace "$work"; then
  propagation=unchanged
else
  fail "/ is not a mount point and mounts made under $work reach this namespace:" \
    "not starting the image here"
fi

step "starting ${entrypoint[*]} ${cmd[*]} from the image, as $uid:$gid, read-only"
log=$work/server.log
# In a mount namespace of its own: the root read-only, then the mounts a
# runtime adds; then chroot and drop to the image's user. unshare, bash,
# setpriv and chroot each exec the next, so $! is the server's pid.
unshare --mount --propagation "$propagation" -- bash -c '
  set -euo pipefail
  root=$1 config=$2 tls=$3 probe=$4 secret=$5 user=$6
  shift 6
  mount --bind "$root" "$root"
  mount -o remount,bind,ro "$root"
  mount -t tmpfs -o mode=1777,size=16m tmpfs "$root/tmp"
  mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
  mount -t tmpfs -o mode=0755,size=64k,nosuid tmpfs "$root/dev"
  for device in null zero full random urandom; do
    touch "$root/dev/$device"
    mount --bind "/dev/$device" "$root/dev/$device"
  done
  mount --bind -o ro "$config" "$root/etc/captoken"
  mount --bind -o ro "$tls" "$root/etc/captoken/tls"
  mount --bind -o ro "$probe" "$root/etc/captoken/probe"
  mount --bind -o ro "$secret" "$root/run/secrets/captoken/main"
  # chroot needs its capability, so the capabilities go with the change
  # of user that follows it (the kernel clears them on leaving uid 0).
  exec setpriv --no-new-privs chroot --userspec="$user" "$root" "$@"
' start-image "$root" "$work/etc-captoken" "$work/tls" "$work/probe" "$work/secret" \
  "$uid:$gid" \
  "${entrypoint[@]}" "${cmd[@]}" --log_level=info --drain_grace=1s \
  --drain_timeout=5s --metrics_listen=127.0.0.1:0 2>"$log" &
server_pid=$!

listening=
for _ in $(seq 100); do
  listening=$(grep -m1 '"listening"' "$log" || true)
  [[ -n $listening ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log"; fail "the server exited before listening"; }
  sleep 0.1
done
[[ -n $listening ]] || { cat "$log"; fail "the server did not listen within 10 s"; }
port=$(grep -o '"port":[0-9]*' <<<"$listening" | cut -d: -f2)
metrics_port=$(grep -o '"metrics_port":[0-9]*' <<<"$listening" | cut -d: -f2)
[[ -n $port && -n $metrics_port ]] || fail "no port in the listening line: $listening"

# The kernel's view of the server: its user, no capabilities, read-only root.
uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$server_pid/status")
gids=$(awk '/^Gid:/ {print $2, $3, $4, $5}' "/proc/$server_pid/status")
[[ $uids == "$uid $uid $uid $uid" && $gids == "$gid $gid $gid $gid" ]] ||
  fail "the server runs as uids $uids, gids $gids"
grep -Eq '^CapPrm:[[:space:]]*0+$' "/proc/$server_pid/status" &&
  grep -Eq '^CapEff:[[:space:]]*0+$' "/proc/$server_pid/status" &&
  grep -Eq '^NoNewPrivs:[[:space:]]*1$' "/proc/$server_pid/status" ||
  fail "the server has capabilities, or may gain some"
# mountinfo's fields: the mount point (5th, seen from the server's root)
# and its options (6th).
awk '$5 == "/" {print $6}' "/proc/$server_pid/mountinfo" | grep -qE '^ro(,|$)' ||
  fail "the server's root filesystem is not read-only"
echo "the server (pid $server_pid) listens on 127.0.0.1:$port as $uid:$gid, root read-only"

step "the probe, inside the image; a token minted through it over mutual TLS"
# The base manifests' readiness probe, on this test's port: the image's own
# CLI in the server's mount namespace and root, as its user.
mapfile -t probe < <(sed -n '/readinessProbe:/,/periodSeconds:/s/^ *- //p' \
  deploy/kubernetes/base/deployment.yaml | sed "s/127.0.0.1:50051/127.0.0.1:$port/")
[[ ${probe[0]:-} == /captoken/captoken && ${#probe[@]} -gt 3 ]] ||
  fail "no readiness probe command in deploy/kubernetes/base/deployment.yaml: ${probe[*]}"
nsenter --target "$server_pid" --mount --root --setuid "$uid" --setgid "$gid" \
  "${probe[@]}" >/dev/null || fail "the probe command failed inside the image: ${probe[*]}"
tls_as=(--tls-ca-file="$pki/ca.pem")
request="{\"account_sid\":\"$account\",\"scopes\":[{\"client_incoming\":{\"client_name\":\"alice\"}}]}"
token=$("$cli" mint capability --server="127.0.0.1:$port" "${tls_as[@]}" \
  --tls-cert-file="$pki/frontend.pem" --tls-key-file="$pki/frontend.key" --request="$request")
if refusal=$("$cli" mint capability --server="127.0.0.1:$port" "${tls_as[@]}" \
  --tls-cert-file="$pki/legacy.pem" --tls-key-file="$pki/legacy.key" --request="$request" 2>&1)
then
  fail "the probe's certificate, which no policy names, minted a token"
fi
grep -q PERMISSION_DENIED <<<"$refusal" || fail "the probe's certificate was refused so: $refusal"
# Signed with the auth token the server read from the mounted Secret file.
IMAGE_TEST_AUTH_TOKEN=$auth_token "$cli" verify --auth-token-env=IMAGE_TEST_AUTH_TOKEN \
  --account-sid="$account" "$token" >/dev/null ||
  fail "the token the server minted does not verify with the account's auth token"
/usr/bin/python3 -c '
import sys, urllib.request
body = urllib.request.urlopen(sys.argv[1], timeout=5).read().decode()
sys.exit(0 if "captoken_" in body else "no captoken_ metric in /metrics")
' "http://127.0.0.1:$metrics_port/metrics" || fail "the metrics port did not answer"
echo "minted and verified a token as $frontend, refused the probe's; /metrics answers"

step "SIGTERM drains it"
kill -TERM "$server_pid"
for _ in $(seq 150); do
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$server_pid" 2>/dev/null; then
  cat "$log"
  fail "the server did not exit within 15 s of SIGTERM"
fi
status=0
wait "$server_pid" || status=$?
server_pid=
((status == 0)) || { cat "$log"; fail "the server exited $status after SIGTERM"; }
grep -q '"draining"' "$log" || { cat "$log"; fail "no draining line in the server's log"; }
echo "PASS: the image, built offline, serves from its own root as $uid:$gid" \
  "($((SECONDS - start)) s)"
