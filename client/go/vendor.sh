#!/bin/sh
# vendor.sh [MODULE_DIR]: makes MODULE_DIR (default: this folder) build
# offline in Go's vendor mode from Debian's Go packages.
#
# For each module MODULE_DIR/go.mod requires, vendor/<module> becomes a
# symlink to its sources: the local directory of a `replace X => ./path`
# directive, else /usr/share/gocode/src/<module> (override with $GOCODE).
# vendor/modules.txt lists them, marked explicit, with their packages. In
# vendor mode Go never reads the dependencies' own go.mod files, so the
# modules they name but Debian does not ship are never looked for.
set -eu
MODULE_DIR=$(cd "${1:-$(dirname "$0")}" && pwd)
GOCODE=${GOCODE:-/usr/share/gocode/src}
cd "$MODULE_DIR"

# "path version" of each requirement; "path target" of each local replace.
requires=$(awk '
  /^require[ \t]*\($/ {b=1; next}  b && /^\)/ {b=0; next}
  b && NF >= 2 && $1 !~ /^\/\// {print $1, $2}
  /^require[ \t]+[^( \t]/ {print $2, $3}' go.mod)
replaces=$(awk '
  /^replace[ \t]*\($/ {b=1; next}  b && /^\)/ {b=0; next}
  { l = $0; sub(/^replace[ \t]+/, "", l); if (!b && l == $0) next
    n = split(l, f, /[ \t]+/); if (f[1] == "") { for (i = 1; i < n; i++) f[i] = f[i+1]; n-- }
    if (n == 3 && f[2] == "=>" && f[3] ~ /^(\.|\/)/) print f[1], f[3] }' go.mod)

rm -rf vendor
mkdir vendor
echo "$requires" | while read -r path version; do
  [ -n "$path" ] || continue
  target=$(echo "$replaces" | awk -v p="$path" '$1 == p {print $2; exit}')
  if [ -n "$target" ]; then
    src=$(cd "$target" && pwd)
  else
    src="$GOCODE/$path"
  fi
  if [ ! -f "$src/go.mod" ]; then
    echo "vendor.sh: $src/go.mod is missing: install Debian's Go package for $path, e.g." >&2
    echo "  apt-get install golang-google-grpc-dev golang-google-protobuf-dev golang-github-golang-protobuf-1-5-dev" >&2
    exit 1
  fi
  mkdir -p "vendor/$(dirname "$path")"
  ln -s "$src" "vendor/$path"
  goversion=$(awk '$1 == "go" {print $2; exit}' "$src/go.mod")
  echo "# $path $version${target:+ => $target}"
  echo "## explicit${goversion:+; go $goversion}"
  # Its packages: directories holding non-test Go files, outside testdata,
  # its own vendor/ and hidden or _ directories.
  (cd "$src" && find . -name '*.go' ! -name '*_test.go' ! -path '*/testdata/*' \
      ! -path './vendor/*' ! -path '*/_*' ! -path '*/.*/*' -printf '%h\n') | sort -u |
    sed -e "s|^\.\$|$path|" -e "s|^\./|$path/|"
done > vendor/modules.txt.tmp
# Wildcard replacements are also recorded on their own, as `go mod vendor` does.
echo "$replaces" | while read -r path target; do
  [ -z "$path" ] || echo "# $path => $target"
done >> vendor/modules.txt.tmp
mv vendor/modules.txt.tmp vendor/modules.txt
