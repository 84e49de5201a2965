#!/usr/bin/env bash
# One version for the wire contract and every client, written once in
# VERSION. Python and Ruby read it at build time (build.sh generates
# captoken/_version.py and lib/captoken/version.rb); npm and Maven need a
# literal in their manifests, which build.sh stamps from VERSION. This
# checks, without building, that those committed literals were stamped: a
# VERSION bump whose stamped manifests were not committed fails here. The
# package tests (client/<language>/package_test.sh) check the version each
# built and installed package actually reports.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

version=$(<VERSION)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || {
  echo "VERSION: '$version' is not MAJOR.MINOR.PATCH" >&2
  exit 1
}
[[ $(wc -l <VERSION) == 1 ]] || { echo "VERSION: one line only" >&2; exit 1; }

failed=0
expect() {  # WHERE ACTUAL
  if [[ $2 != "$version" ]]; then
    echo "$1: version '$2', but VERSION says '$version' (update it and commit: each client's build.sh stamps its own)" >&2
    failed=1
  fi
}
expect client/node/package.json "$(node -p 'require("./client/node/package.json").version')"
expect 'client/node/package-lock.json (version)' "$(node -p 'require("./client/node/package-lock.json").version')"
expect 'client/node/package-lock.json (packages[""].version)' \
  "$(node -p 'require("./client/node/package-lock.json").packages[""].version')"
# The project's own <version>, the one after its artifactId (the
# dependencies' versions are properties).
expect client/java/pom.xml "$(perl -0ne 'print $1 if m{<artifactId>captoken-client</artifactId>\s*<version>([^<]*)</version>}' client/java/pom.xml)"
# The container image deploy/build-image.sh names captoken:VERSION; the
# manifests pull that tag.
expect deploy/kubernetes/base/kustomization.yaml \
  "$(sed -n 's/^ *newTag: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' deploy/kubernetes/base/kustomization.yaml)"
# Nothing else may carry its own copy: Python and Ruby take theirs from
# VERSION at build time.
if git grep -nE '(^version|VERSION) = "[0-9]' -- client/python/pyproject.toml client/ruby; then
  echo "a hand-written version above: it must come from VERSION" >&2
  failed=1
fi
((failed == 0)) && echo "check_versions: every client manifest says $version"
exit "$failed"
