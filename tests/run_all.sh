#!/usr/bin/env bash
# The whole test suite, in the order that fails fastest. `./dev test` runs it
# (after installing packages), and CI runs `./dev test` through .ci/run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

read -r -a flags <<<"${CAPTOKEN_BAZEL_FLAGS:-}"
step() { printf '\n=== %s\n' "$*"; }

step "the wire contract: buf lint, and buf breaking against the released contract"
(cd tools/buf && npm ci --silent --no-audit --no-fund --ignore-scripts)
buf=tools/buf/node_modules/.bin/buf
(cd proto && "../$buf" lint)
# The released contract is a committed buf image (proto/released/), not the
# previous commit: a break spread over several commits, or a shallow clone,
# is caught the same way. A missing baseline fails; it never skips.
baseline=proto/released/captoken-v1.binpb
[[ -f $baseline ]] || {
  echo "missing $baseline: nothing to check the contract against" >&2
  exit 1
}
"$buf" breaking proto --against "$baseline"

step "one version, VERSION, in every client manifest (tests/check_versions.sh)"
tests/check_versions.sh

step "the benchmark script's own arithmetic (bench/run_test.py)"
/usr/bin/python3 bench/run_test.py

step "C++ formatting (clang-format, Google style, .clang-format at the root)"
git ls-files -z '*.cc' '*.h' | xargs -0 clang-format --dry-run -Werror

step "the layers of service/ and their one-way dependencies (tests/layering/check_layers.py)"
/usr/bin/python3 tests/layering/check_layers.py "${flags[@]}"

step "the token library from another Bazel workspace (tests/consumer_workspace/check.sh)"
tests/consumer_workspace/check.sh "${flags[@]}"

step "unit, known-answer and end-to-end tests (bazel test //...)"
bazel test "${flags[@]}" //...

# Before any other configuration repoints bazel-bin: it uses the binaries
# `bazel test //...` just built.
step "the benchmark's load generator and servers, briefly (bench/smoke_test.py)"
/usr/bin/python3 bench/smoke_test.py

step "the token library against BoringSSL (bazel test --config=boringssl)"
bazel test "${flags[@]}" --config=boringssl //service/token/...

step "everything again under AddressSanitizer + UBSan (bazel test --config=asan)"
bazel test "${flags[@]}" --config=asan //...

fuzz_seconds=${CAPTOKEN_FUZZ_SECONDS:-60}
step "fuzzing each target for ${fuzz_seconds} s (libFuzzer, clang, ASan + UBSan)"
bazel build "${flags[@]}" --config=fuzz //fuzz:all
fuzz_bin=$(bazel info "${flags[@]}" --config=fuzz bazel-bin 2>/dev/null)
# Stacks symbolized in the log (llvm-14, bazel/setup.sh test).
export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
export UBSAN_OPTIONS=print_stacktrace=1
for target in verify request config; do
  # Work on a copy: what the fuzzer finds stays out of the source tree.
  corpus=$(mktemp -d)
  artifacts=$(mktemp -d)
  cp fuzz/corpus/$target/* "$corpus"/
  log=$(mktemp)
  echo "--- ${target}_fuzzer"
  if ! "$fuzz_bin/fuzz/${target}_fuzzer" -max_total_time="$fuzz_seconds" \
      -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1; then
    cat "$log"
    # The CI log alone must be enough to reproduce: the input, in base64.
    for input in "$artifacts"/*; do
      [[ -f $input ]] || continue
      echo "--- $(basename "$input") (base64; reproduce with:" \
        "base64 -d > input && ${target}_fuzzer input)"
      base64 -w 76 "$input"
    done
    echo "${target}_fuzzer found a crash, a leak or a sanitizer report" >&2
    exit 1
  fi
  grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
  rm -rf "$corpus" "$artifacts" "$log"
done

step "soak: 200,000 mixed calls against an ASan server, reloading half-way"
tests/soak/run_soak.sh | tail -6

step "the node profile agrees with the shared reference implementation"
node tests/vectors/spec_check.js tests/vectors/node

# The language clients' end-to-end tests start the real server and CLI.
bazel build "${flags[@]}" //service:server //client/cli:captoken
bin=$(bazel info "${flags[@]}" bazel-bin 2>/dev/null)
export CAPTOKEN_SERVER=$bin/service/server CAPTOKEN_CLI=$bin/client/cli/captoken
step "the differential conformance suite: 20,000 random requests per profile and kind against the SDKs (tests/conformance)"
(cd tests/conformance/node && npm ci --silent --no-audit --no-fund --ignore-scripts)
bazel build "${flags[@]}" //tests/conformance:sign_driver
# Seeded from the commit: other cases every commit, the same on a rerun.
seed=$(git rev-parse --short=12 HEAD 2>/dev/null || echo uncommitted)
/usr/bin/python3 tests/conformance/run.py --cases=20000 --seed="$seed" \
  --driver="$bin/tests/conformance/sign_driver"
client/python/build.sh >/dev/null
/usr/bin/python3 tests/conformance/sample.py --cases=25 --seed="$seed"

for language in python go node java ruby; do
  step "the $language client against the real server (client/$language/test.sh)"
  "client/$language/test.sh"
done
# Each client as its ecosystem installs it, in a project outside the repo.
for language in ruby python node go java; do
  step "the $language package, installed outside the repository (client/$language/package_test.sh)"
  "client/$language/package_test.sh"
done
step "each language's example against a development server (client/examples_test.sh)"
client/examples_test.sh

# Real infrastructure around the server (Debian's Prometheus and HAProxy).
step "the alerting rules: promtool check and unit tests (tests/infra/prometheus_rules.sh)"
tests/infra/prometheus_rules.sh
step "Prometheus scrapes a real server (tests/infra/prometheus_scrape.sh)"
tests/infra/prometheus_scrape.sh
step "three replicas behind HAProxy, restarted under load (tests/infra/haproxy_rolling_restart.sh)"
tests/infra/haproxy_rolling_restart.sh
# After the build above: deploy/build-image.sh's build of the same two
# binaries is then a cache hit.
step "the container image, built offline and served from its own root (deploy/build_image_test.sh)"
deploy/build_image_test.sh "$CAPTOKEN_CLI"

echo
echo "All tests passed."
