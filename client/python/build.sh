#!/usr/bin/env bash
# Generates the Python protobuf and gRPC modules for captoken.v1 from
# proto/captoken/v1/*.proto into captoken/v1/ (git-ignored; never checked in).
#
# Uses Debian's tools only: protoc (protobuf-compiler) and
# /usr/bin/grpc_python_plugin (protobuf-compiler-grpc). The generated code
# needs python3-protobuf and python3-grpcio at run time.
#
# The protos import "captoken/v1/capability.proto", so protoc writes
# `from captoken.v1 import capability_pb2`; generating into this package's
# own v1/ folder makes that import resolve to captoken.v1 here.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "${here}/../.." && pwd)"
proto_root="${repo}/proto"
protoc="${PROTOC:-protoc}"
plugin="${GRPC_PYTHON_PLUGIN:-/usr/bin/grpc_python_plugin}"

for tool in "${protoc}" "${plugin}"; do
  if ! command -v "${tool}" >/dev/null 2>&1; then
    echo "build.sh: ${tool} not found; install the Debian packages" \
      "protobuf-compiler and protobuf-compiler-grpc" >&2
    exit 1
  fi
done

# Generate into a temporary folder, then swap it in, so an interrupted build
# never leaves a half-written package behind.
out="$(mktemp -d "${here}/captoken/.v1.XXXXXX")"
trap 'rm -rf "${out}"' EXIT

protos=()
for f in "${proto_root}"/captoken/v1/*.proto; do
  protos+=("captoken/v1/$(basename "${f}")")
done

"${protoc}" \
  --proto_path="${proto_root}" \
  --python_out="${out}" \
  --plugin=protoc-gen-grpc_python="${plugin}" \
  --grpc_python_out="${out}" \
  "${protos[@]}"

cat >"${out}/captoken/v1/__init__.py" <<'PY'
"""Generated from proto/captoken/v1 by client/python/build.sh. Do not edit."""
PY

# The package's version is the repository's (VERSION): pyproject.toml and
# captoken.__version__ both read it from here.
version="$(<"${repo}/VERSION")"
printf '"""Generated from VERSION by client/python/build.sh. Do not edit."""\n__version__ = "%s"\n' \
  "${version}" >"${here}/captoken/_version.py"

rm -rf "${here}/captoken/v1"
mv "${out}/captoken/v1" "${here}/captoken/v1"
echo "build.sh: generated $(ls "${here}/captoken/v1" | grep -c '_pb2') modules in ${here}/captoken/v1" >&2
