#!/usr/bin/env bash
# Builds captoken's container image offline, with no registry, no base image
# to pull and no mounts: the image deploy/Dockerfile describes, assembled
# with umoci on a root made from this machine's Debian 12 packages.
#
#   deploy/build-image.sh [DESTINATION]
#
# DESTINATION (default oci-archive:captoken-image.tar:captoken:VERSION):
#   oci:DIR[:NAME]           an OCI image layout directory, image tagged NAME
#   oci-archive:FILE[:NAME]  the same layout as one tar file (podman load -i)
#   anything else            handed to `skopeo copy`, e.g.
#                            docker://registry.example/captoken:0.1.0
# NAME defaults to captoken:VERSION, VERSION being the repository's VERSION.
# Run as root (the files' owners); bazel/setup.sh test installs umoci.
#
# Three layers, as in the Dockerfile: the base (deploy/image.list's
# base-package and base-file entries, plus /etc/passwd and /etc/group with
# distroless's root, nobody and nonroot, and /tmp), then the shared libraries
# and then the binaries, both staged by deploy/stage-image.sh. The user,
# ports, entry point and arguments come from deploy/image.list, which the
# Dockerfile must match (bazel test //deploy:manifests_test).
#
# Reproducible: every file's time, every history entry and the image's
# creation time are SOURCE_DATE_EPOCH (default: the last commit's time), so
# the same tree, binaries and packages give the same image digest
# (deploy/build_image_test.sh builds it twice to check).
#
# Why umoci and not buildah: buildah applies layers in a mount namespace
# where it remounts "/", which fails wherever "/" is not a mount point (a
# plain chroot, as ../shared/tools/fresh-machine.sh runs ./dev test). umoci
# works on plain directories: unpack, add files, repack one layer.
# Everything is under one temporary directory, removed at exit.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=$(<"$repo/VERSION")
destination=${1:-oci-archive:captoken-image.tar:captoken:$version}
if [[ $destination == -h || $destination == --help ]]; then
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
  exit 0
fi
fail() {
  echo "build-image.sh: $*" >&2
  exit 1
}
((EUID == 0)) || fail "run it as root: the image's files keep their owners"
command -v umoci >/dev/null || fail "umoci is not installed (bazel/setup.sh test installs it)"

# oci:DIR[:NAME] and oci-archive:FILE[:NAME]; a path holds no colon here.
kind=copy path='' name=captoken:$version
if [[ $destination =~ ^(oci|oci-archive):([^:]+)(:(.+))?$ ]]; then
  kind=${BASH_REMATCH[1]}
  path=${BASH_REMATCH[2]}
  [[ -n ${BASH_REMATCH[4]} ]] && name=${BASH_REMATCH[4]}
  [[ $path == /* ]] || path=$PWD/$path
elif ! command -v skopeo >/dev/null; then
  fail "$destination: only oci: and oci-archive: are written without skopeo"
fi
cd "$repo"
if [[ -z ${SOURCE_DATE_EPOCH:-} ]]; then
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || echo 0)
fi
[[ $SOURCE_DATE_EPOCH =~ ^[0-9]+$ ]] || fail "SOURCE_DATE_EPOCH is not a number of seconds"
created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)

list() { awk -v key="$1" '$1 == key {$1 = ""; sub(/^ /, ""); print}' deploy/image.list; }

work=$(mktemp -d /tmp/captoken-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
deploy/stage-image.sh "$work/stage"

layout=$work/oci
image=$layout:build
umoci init --layout "$layout"
umoci new --image "$image"
bundle=$work/bundle
umoci unpack --image "$image" "$bundle" >/dev/null
root=$bundle/rootfs

# add_layer WHAT: one layer holding what was added to the root since the
# last one, every time set to SOURCE_DATE_EPOCH first (umoci's diff then
# sees only what is new or changed).
add_layer() {
  find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  umoci repack --refresh-bundle --image "$image" --history.created "$created" \
    --history.created_by "deploy/build-image.sh: $1" "$bundle"
}

# The base root. Debian 12 merges /bin, /lib and /sbin into /usr, and the
# packages list their files under either name: the links make both land in
# /usr, as on the build machine.
mkdir -p "$root"/usr/{bin,lib,lib64,sbin} "$root"/{etc,proc,sys,dev,run,var}
ln -s usr/bin "$root/bin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
ln -s usr/sbin "$root/sbin"
ln -s /run "$root/var/run"
install -d -m 1777 "$root/tmp"
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
  while read -r file; do [[ -d $file && ! -L $file ]] || echo "${file#/}"; done |
  sort -u >"$work/base-files"
list base-file | sed 's|^/||' >>"$work/base-files"
tar -C / --no-recursion -cf - -T "$work/base-files" | tar -C "$root" -xpf -

# distroless's users, so a name lookup of the numeric user finds one.
IFS=: read -r uid gid <<<"$(list user)"
cat >"$root/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:$uid:$gid:nonroot:/home/nonroot:/sbin/nologin
PASSWD
cat >"$root/etc/group" <<GROUP
root:x:0:
nogroup:x:65534:
nonroot:x:$gid:
GROUP
install -d -m 0700 -o "$uid" -g "$gid" "$root/home/nonroot"
add_layer "base: ${packages[*]}"

tar -C "$work/stage/libs" -cf - . | tar -C "$root" -xpf -
add_layer "shared libraries (deploy/stage-image.sh)"
tar -C "$work/stage/bin" -cf - . | tar -C "$root" -xpf -
add_layer "binaries (deploy/stage-image.sh)"

read -r -a entrypoint <<<"$(list entrypoint)"
read -r -a cmd <<<"$(list cmd)"
settings=(--config.user "$(list user)" --config.workingdir /
  --config.env PATH=/usr/local/bin:/usr/bin:/bin
  --config.env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
  --config.label org.opencontainers.image.title=captoken
  --config.label "org.opencontainers.image.version=$version")
# As EXPOSE records them: TCP unless the list says otherwise.
for port in $(list expose); do
  [[ $port == */* ]] || port=$port/tcp
  settings+=(--config.exposedports "$port")
done
for arg in "${entrypoint[@]}"; do settings+=(--config.entrypoint "$arg"); done
for arg in "${cmd[@]}"; do settings+=(--config.cmd "$arg"); done
# The run settings are metadata, not a layer: no history entry for them.
umoci config --image "$image" --no-history --created "$created" "${settings[@]}"
umoci tag --image "$image" "$name"
umoci rm --image "$image"
umoci gc --layout "$layout"
chmod -R a+rX "$layout"  # umoci writes blobs 0600; an image is no secret
find "$layout" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

case $kind in
  oci)
    mkdir -p "$path"
    [[ -z $(ls -A "$path") ]] || fail "$path: not empty; give a new directory for the layout"
    cp -a "$layout/." "$path/"
    ;;
  oci-archive)
    tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
      -C "$layout" -cf "$path" .
    ;;
  copy) skopeo copy "oci:$layout:$name" "$destination" ;;
esac
echo "build-image: $destination, image $name" >&2
