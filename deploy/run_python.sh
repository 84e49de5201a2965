#!/bin/bash
# Runs a deploy/ check (the first argument, a .py file) with Debian's Python
# and its python3-yaml, from the runfiles tree, which has the repository's
# layout. The other arguments pass through; Bazel's $(location) arguments
# are already runfiles paths.
set -euo pipefail
if ! /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
  echo "$1: needs PyYAML: bazel/setup.sh test (Debian's python3-yaml)" >&2
  exit 1
fi
exec /usr/bin/python3 "$@"
