#!/bin/bash
# Runs deploy/check_manifests.py with Debian's Python (python3-yaml), from
# the runfiles tree, which has the repository's layout. Arguments pass
# through; Bazel's $(location) arguments are already runfiles paths.
set -euo pipefail
if ! /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
  echo "check_manifests: needs PyYAML: apt-get install python3-yaml" >&2
  exit 1
fi
exec /usr/bin/python3 deploy/check_manifests.py "$@"
