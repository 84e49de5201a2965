#!/usr/bin/env bash
# Installs the Debian packages captoken builds, runs and tests with.
#
#   bazel/setup.sh build   what `./dev server` and the CLI need
#   bazel/setup.sh test    that plus what the whole test suite needs
#   bazel/setup.sh bench   that plus what bench/run.py needs
#
# Idempotent and quiet: packages already installed are skipped, and apt's
# output is shown only if it fails. Needs root (or sudo) only when something
# is missing.
set -euo pipefail

build_packages=(
  bazel-bootstrap bazel-rules-java bazel-platforms
  g++ libabsl-dev libssl-dev libprotobuf-dev protobuf-compiler
  libgrpc++-dev protobuf-compiler-grpc libre2-dev
  # The server's metrics (//service/observe:metrics).
  prometheus-cpp-dev
  # The servers' allocator (//bazel:malloc).
  libtcmalloc-minimal4
)
test_packages=(
  libgtest-dev libgmock-dev libbenchmark-dev
  android-libboringssl-dev
  clang libclang-rt-14-dev
  # tests/run_all.sh checks that C++ is clang-formatted (.clang-format).
  clang-format
  # What a minimal Debian 12 root lacks and the suite calls: git
  # (tests/run_all.sh lists the tracked sources), the openssl command (the
  # TLS tests' throw-away PKI, tests/testing/make_test_pki.sh) and the CA
  # certificates npm needs to reach its registry.
  git openssl ca-certificates
  # buf (tools/buf), the Node client and its example come from npm.
  nodejs python3
  # deploy/check_manifests.py (bazel test //deploy/...).
  python3-yaml
  # The language clients (client/*) and their end-to-end tests.
  python3-grpcio python3-protobuf
  golang-go golang-google-grpc-dev golang-google-protobuf-dev
  golang-github-golang-protobuf-1-5-dev protoc-gen-go protoc-gen-go-grpc
  default-jdk-headless libgrpc-java protobuf-compiler-grpc-java-plugin
  libprotobuf-java libnetty-java libperfmark-java libguava-java
  libgeronimo-annotation-1.3-spec-java junit4 libhamcrest-java
  libgoogle-gson-java
  # The Ruby client: stubs from grpc_tools_ruby_protoc, gRPC and protobuf at
  # run time (minitest comes with Debian's ruby).
  ruby ruby-grpc ruby-grpc-tools ruby-google-protobuf
  # The client packages, each built and installed as its ecosystem does
  # (client/<language>/package_test.sh): the Python wheel and its venv.
  python3-build python3-setuptools python3-wheel python3-venv
  # The Java jar installed by Maven into a local repository and used by a
  # Maven project, all offline from /usr/share/maven-repo: the plugins it
  # runs, and junit5, whose junit-bom maven-compiler-plugin's
  # plexus-compiler-api imports (the compiler plugin fails to resolve
  # without it).
  maven libmaven-install-plugin-java libmaven-resources-plugin-java
  libmaven-compiler-plugin-java libmaven-dependency-plugin-java junit5
  # A fuzzer's stack in the CI log, symbolized (tests/run_all.sh).
  llvm-14
  # tests/infra/: the alerting rules (promtool) and a real Prometheus
  # scraping the server; HAProxy in front of three replicas. Started by the
  # tests as child processes on loopback, never as system services.
  prometheus haproxy
  # The container image, built offline and unpacked to be run
  # (deploy/build-image.sh, deploy/build_image_test.sh). unshare, nsenter,
  # setpriv and chroot come with every Debian system (util-linux, coreutils).
  umoci
  # tests/conformance: twilio-python 7.7.1 as a live oracle, and PyJWT
  # (which it signs with) as a second decoder of every token. twilio-node
  # comes from npm (tests/conformance/node/package-lock.json).
  python3-twilio python3-jwt
)
# The image's base is copied from installed packages, the base-package
# lines of deploy/image.list (netbase and tzdata are not in a minimal
# Debian): installed from that one list, so the two cannot drift.
while read -r key package; do
  [[ $key == base-package ]] && test_packages+=("$package")
done <"$(dirname "${BASH_SOURCE[0]}")/../deploy/image.list"
# Debian's nodejs does not include npm; some machines' Node.js builds do.
command -v npm >/dev/null || test_packages+=(npm)
# deploy/checks render the manifests with `kubectl kustomize`. Only where
# no kubectl is installed: Debian's kubernetes-client cannot be installed
# beside the kubectl package of Kubernetes' or Google's repositories (both
# ship /usr/bin/kubectl); kubectl 1.20 (Debian 12's) and later all render
# deploy/kubernetes.
command -v kubectl >/dev/null || test_packages+=(kubernetes-client)

# bench/run.py: plots, the PyJWT peer (python3-jwt, what twilio-python
# uses) and the server profile (perf). The twilio-node peer uses npm, which
# the test packages already bring.
bench_packages=(python3-matplotlib python3-jwt linux-perf)

case "${1:-build}" in
  build) packages=("${build_packages[@]}") ;;
  test) packages=("${build_packages[@]}" "${test_packages[@]}") ;;
  bench)
    packages=("${build_packages[@]}" "${test_packages[@]}"
              "${bench_packages[@]}")
    ;;
  *) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
      grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
((${#missing[@]} == 0)) && exit 0

sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || {
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: installing them needs root, or sudo (not found): run" \
      "'apt-get install ${missing[*]}' as root, then try again" >&2
    exit 1
  }
  sudo=(sudo)
fi

echo "setup: installing ${missing[*]}" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
# A fresh machine's package lists may be missing or stale; refresh them only
# when an install is needed.
if ! "${sudo[@]}" apt-get update -qq >"$log" 2>&1 ||
   ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
       "${missing[@]}" >>"$log" 2>&1; then
  cat "$log" >&2
  echo "setup: installing packages failed (output above)" >&2
  exit 1
fi
