#!/usr/bin/env bash
# Builds @captoken/client: installs the locked npm dependencies, generates the
# TypeScript stubs from ../../proto/captoken/v1/*.proto with protoc and
# ts-proto, and compiles everything into dist/ with tsc.
#
# Needs node (>= 18) and npm, and Debian's protoc (protobuf-compiler) with the
# well-known types (libprotobuf-dev). PROTOC overrides the protoc binary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool not found" >&2; exit 1; }
done
protoc=${PROTOC:-/usr/bin/protoc}
[[ -x $protoc ]] || protoc=$(command -v protoc) || {
  echo "build.sh: protoc not found (apt-get install protobuf-compiler libprotobuf-dev)" >&2
  exit 1
}
export PROTOC=$protoc

# --ignore-scripts: no dependency needs an install script (protobufjs's only
# prints a notice).
# package.json must carry its version as a literal: stamp the repository's
# VERSION into it and package-lock.json (a no-op when they already agree;
# tests/check_versions.sh fails if a stamped change was not committed).
npm version "$(<../../VERSION)" --no-git-tag-version --allow-same-version >/dev/null

npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
npm run --silent build
