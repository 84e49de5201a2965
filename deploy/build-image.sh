#!/usr/bin/env bash
# Builds captoken's container image offline, with no registry and no base
# image to pull: the image deploy/Dockerfile describes, assembled with
# buildah from scratch on a root made from this machine's Debian 12 packages.
#
#   deploy/build-image.sh [DESTINATION]
#
# DESTINATION is any containers-transports reference buildah can write
# (default oci-archive:captoken-image.tar:captoken:dev), for example
# oci:DIR:captoken, or docker://registry.example/captoken:0.1.0 where a
# registry is reachable. Run as root (buildah's storage and the copied files'
# owners); bazel/setup.sh test installs buildah.
#
# Three layers, as in the Dockerfile: the base (deploy/image.list's
# base-package and base-file entries, plus /etc/passwd and /etc/group with
# distroless's root, nobody and nonroot, and /tmp), then the shared libraries
# and then the binaries, both staged by deploy/stage-image.sh. The user,
# ports, entry point and arguments come from deploy/image.list, which the
# Dockerfile must match (bazel test //deploy:manifests_test).
#
# buildah's storage is private to the run, in a temporary directory removed
# at exit, so nothing is left behind and no other image store is touched.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
destination=${1:-oci-archive:captoken-image.tar:captoken:dev}
# Relative oci: and oci-archive: paths mean the caller's directory.
if [[ $destination =~ ^(oci|oci-archive):([^/].*)$ ]]; then
  destination="${BASH_REMATCH[1]}:$PWD/${BASH_REMATCH[2]}"
fi
cd "$repo"

# buildah applies each layer in a private mount namespace where it remounts
# "/"; when "/" is not a mount point (inside a plain chroot, as
# ../shared/tools/fresh-machine.sh runs ./dev test) that fails with EINVAL
# deep in buildah. Say so plainly instead. Rebinding "/" from here is no
# way out: a bind that leaked into the host's mount namespace could be
# walked by whatever removes the chroot afterwards.
if ! mountpoint -q /; then
  echo "build-image.sh: / is not a mount point (a plain chroot?); buildah" \
    "cannot apply layers there. Run it on the machine itself, in a" \
    "container, or in a chroot whose root is a mount (mount --bind ROOT ROOT)." >&2
  exit 1
fi

list() { awk -v key="$1" '$1 == key {$1 = ""; sub(/^ /, ""); print}' deploy/image.list; }

work=$(mktemp -d /tmp/captoken-image.XXXXXX)
# vfs: no overlay mounts, so it works inside a container or an unprivileged
# sandbox, and the storage is a plain tree that rm -rf removes.
bah=(buildah --root "$work/storage" --runroot "$work/run" --storage-driver vfs)
cleanup() {
  "${bah[@]}" rm --all >/dev/null 2>&1 || true
  "${bah[@]}" rmi --all --force >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

deploy/stage-image.sh "$work/stage"

# The base root. Debian 12 merges /bin, /lib and /sbin into /usr, and the
# packages list their files under either name: the links make both land in
# /usr, as on the build machine.
base=$work/base
mkdir -p "$base"/usr/{bin,lib,lib64,sbin} "$base"/{etc,proc,sys,dev,run,var}
ln -s usr/bin "$base/bin"
ln -s usr/lib "$base/lib"
ln -s usr/lib64 "$base/lib64"
ln -s usr/sbin "$base/sbin"
ln -s /run "$base/var/run"
install -d -m 1777 "$base/tmp"
mapfile -t packages < <(list base-package)
# Each package's files (not its directories, which would copy whole trees
# such as /etc), minus documentation other than the copyright notices, and
# minus base-files' login banner scripts: nothing logs in, and the image
# holds no executable but the listed binaries.
for package in "${packages[@]}"; do
  dpkg-query -L "$package" >/dev/null  # fails, naming it, if not installed
done
dpkg-query -L "${packages[@]}" |
  grep -Ev '^(/usr/share/(man|info|lintian|doc/[^/]+/(changelog|NEWS|README)[^/]*$)|/etc/update-motd\.d/)' |
  while read -r path; do [[ -d $path && ! -L $path ]] || echo "${path#/}"; done |
  sort -u >"$work/base-files"
list base-file | sed 's|^/||' >>"$work/base-files"
tar -C / --no-recursion -cf - -T "$work/base-files" | tar -C "$base" -xpf -

# distroless's users, so a name lookup of the numeric user finds one.
IFS=: read -r uid gid <<<"$(list user)"
cat >"$base/etc/passwd" <<EOF
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:$uid:$gid:nonroot:/home/nonroot:/sbin/nologin
EOF
cat >"$base/etc/group" <<EOF
root:x:0:
nogroup:x:65534:
nonroot:x:$gid:
EOF
install -d -m 0700 -o "$uid" -g "$gid" "$base/home/nonroot"

# on_top IMAGE TREE: a working container from IMAGE with TREE's files added
# (owners and modes kept), for one commit, hence one layer; prints its name.
# Its history entry says so (buildah would write /bin/sh, which the image
# does not have).
on_top() {
  local container mount
  container=$("${bah[@]}" from --quiet "$1")
  "${bah[@]}" config --created-by "deploy/build-image.sh: ${2#"$work"/}" "$container"
  mount=$("${bah[@]}" mount "$container")
  tar -C "$2" -cf - . | tar -C "$mount" -xpf -
  "${bah[@]}" umount "$container" >/dev/null
  echo "$container"
}
commit() { "${bah[@]}" commit --quiet --format oci --rm "$@" >/dev/null; }
commit "$(on_top scratch "$base")" captoken-base
commit "$(on_top captoken-base "$work/stage/libs")" captoken-libs
container=$(on_top captoken-libs "$work/stage/bin")

# The exec forms, as JSON arrays; the list's values hold no quotes.
json_array() {
  local out="" arg
  for arg; do out+="${out:+,}\"$arg\""; done
  printf '[%s]' "$out"
}
read -r -a entrypoint <<<"$(list entrypoint)"
read -r -a cmd <<<"$(list cmd)"
ports=()
# As EXPOSE records them: TCP unless the list says otherwise.
for port in $(list expose); do
  [[ $port == */* ]] || port=$port/tcp
  ports+=(--port "$port")
done
"${bah[@]}" config --user "$(list user)" "${ports[@]}" \
  --entrypoint "$(json_array "${entrypoint[@]}")" --cmd "$(json_array "${cmd[@]}")" \
  --env PATH=/usr/local/bin:/usr/bin:/bin \
  --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  --workingdir / --label org.opencontainers.image.title=captoken \
  "$container"
commit "$container" "$destination"
echo "build-image: $destination" >&2
