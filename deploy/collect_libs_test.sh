#!/bin/bash
# deploy/collect-libs.sh, checked the way the image uses it: collect the
# libraries of the real server and CLI into a staging tree, then start each
# binary with the dynamic loader looking in that tree first, and require that
# every library it loads came from the tree, except the C/C++ runtime that
# the final image's base provides. A library collect-libs.sh missed would be
# loaded from the system instead, and fail this test; in the image it would
# fail the container.
#   collect_libs_test.sh SERVER CLI
set -euo pipefail
server=$1 cli=$2
work=${TEST_TMPDIR:-$(mktemp -d)}
staging=$work/staging
rm -rf "$staging"
deploy/collect-libs.sh "$staging" "$server" "$cli" >"$staging.list"
echo "collected $(wc -l <"$staging.list") libraries"

runtime='/(ld-linux[^/]*|libc|libm|libmvec|libpthread|libdl|librt|libresolv|libutil|libanl|libstdc\+\+|libgcc_s)\.so[^/]*$'
libdirs=$(find "$staging" -name '*.so*' -printf '%h\n' | sort -u | paste -sd:)
failures=0
for binary in "$server" "$cli"; do
  # awk reads all of ldd's output: exiting at the first match would let ldd
  # die of SIGPIPE, which pipefail turns into a failed test now and then.
  loader=$(ldd "$binary" | awk '$1 ~ /^\// && /ld-linux/ && !found {print $1; found = 1}')
  [[ -x $loader ]] || { echo "FAIL: no dynamic loader found for $binary"; exit 1; }
  log=$work/$(basename "$binary").ld.log
  if ! LD_DEBUG=libs "$loader" --inhibit-cache --library-path "$libdirs" \
      "$binary" --help >/dev/null 2>"$log"; then
    echo "FAIL: $binary --help does not run with the collected libraries"
    tail -5 "$log"
    failures=$((failures + 1))
    continue
  fi
  loaded=$(grep -o 'calling init: .*' "$log" | sed 's/calling init: //' | sort -u)
  from_system=$(grep -v "^$staging/" <<<"$loaded" | grep -Ev "$runtime" || true)
  if [[ -n $from_system ]]; then
    echo "FAIL: $binary loads libraries collect-libs.sh did not collect:"
    echo "$from_system"
    failures=$((failures + 1))
  fi
  from_staging=$(grep -c "^$staging/" <<<"$loaded" || true)
  if ((from_staging < 10)); then
    echo "FAIL: $binary loaded only $from_staging libraries from the staging tree"
    failures=$((failures + 1))
  fi
  echo "$binary: $from_staging libraries from the staging tree, the rest the runtime's"
done
# The runtime stays out: the base image's must match its own loader.
if grep -E "$runtime" "$staging.list"; then
  echo "FAIL: collect-libs.sh copied the C/C++ runtime (above)"
  failures=$((failures + 1))
fi
echo "$((2 - failures < 0 ? 0 : 2 - failures)) passed, $failures failed"
((failures == 0))
