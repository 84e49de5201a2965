#!/usr/bin/env bash
# Generates the stubs, then runs the Python client's tests with Debian's
# interpreter: unit tests of the builders and end-to-end tests against the
# real server binary ($CAPTOKEN_SERVER, default bazel-bin/service/server) and
# CLI ($CAPTOKEN_CLI, default bazel-bin/client/cli/captoken). Build those first:
#   cd /work/main && bazel build //service:server //client/cli:captoken
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "${here}/../.." && pwd)"

"${here}/build.sh"

export CAPTOKEN_SERVER="${CAPTOKEN_SERVER:-${repo}/bazel-bin/service/server}"
export CAPTOKEN_CLI="${CAPTOKEN_CLI:-${repo}/bazel-bin/client/cli/captoken}"
for bin in "${CAPTOKEN_SERVER}" "${CAPTOKEN_CLI}"; do
  if [[ ! -x "${bin}" ]]; then
    echo "test.sh: ${bin} is missing; build it with:" >&2
    echo "  cd ${repo} && bazel build //service:server //client/cli:captoken" >&2
    exit 1
  fi
done

cd "${here}"
export PYTHONPATH="${here}:${here}/tests${PYTHONPATH:+:${PYTHONPATH}}"
export PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 -m unittest discover --start-directory tests \
  --top-level-directory tests --pattern 'test_*.py' "$@"
