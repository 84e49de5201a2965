#!/usr/bin/env bash
# Builds the binaries deploy/image.list names and lays out what the image
# adds to its base, as two trees rooted at the image's /:
#
#   deploy/stage-image.sh OUT
#
#   OUT/bin/    the binaries, at their paths in the image (/captoken/server, ...)
#   OUT/libs/   the shared libraries they load, beyond the C/C++ runtime the
#               base provides (deploy/collect-libs.sh)
#
# Both deploy/Dockerfile's build stage and deploy/build-image.sh run it, so
# both images get the same files; two trees, so the libraries (which change
# with Debian's packages) and the binaries (which change with every commit)
# are separate layers. Bazel flags come from CAPTOKEN_BAZEL_FLAGS, as in ./dev.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if (($# != 1)); then
  echo "usage: $0 OUT" >&2
  exit 2
fi
out=$1
read -r -a flags <<<"${CAPTOKEN_BAZEL_FLAGS:-}"

targets=() paths=()
while read -r key target path; do
  targets+=("$target")
  paths+=("$path")
done < <(awk '$1 == "binary"' deploy/image.list)
((${#targets[@]} > 0)) || { echo "stage-image: deploy/image.list names no binary" >&2; exit 1; }

bazel build --noshow_progress --ui_event_filters=-info "${flags[@]}" "${targets[@]}"
bazel_bin=$(bazel info "${flags[@]}" bazel-bin 2>/dev/null)

rm -rf "$out/bin" "$out/libs"
staged=()
for i in "${!targets[@]}"; do
  # //service:server is bazel-bin/service/server.
  target=${targets[$i]#//}
  install -D -m 0755 "$bazel_bin/${target/://}" "$out/bin${paths[$i]}"
  staged+=("$out/bin${paths[$i]}")
done
deploy/collect-libs.sh "$out/libs" "${staged[@]}" >/dev/null
echo "stage-image: ${#staged[@]} binaries in $out/bin," \
  "$(find "$out/libs" -name '*.so*' | wc -l) libraries in $out/libs" >&2
