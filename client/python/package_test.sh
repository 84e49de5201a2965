#!/usr/bin/env bash
# The wheel as a Python user gets it: `python3 -m build --wheel
# --no-isolation` (PyPI is out of reach, so the build backend is Debian's
# setuptools rather than a downloaded one), then `pip install --no-index`
# into a new venv in a fresh directory outside the repository. The venv sees
# the system site-packages, where Debian's grpcio and protobuf satisfy the
# wheel's requirements; then a script there, importing only the installed
# package, mints and verifies a token from a development server.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../package_test_lib.sh"

"$here/build.sh"
(cd "$here" && /usr/bin/python3 -m build --wheel --no-isolation --outdir "$work/dist" . >"$work/build.log" 2>&1) || {
  cat "$work/build.log" >&2
  exit 1
}
wheel=$(ls "$work"/dist/captoken-*.whl)
/usr/bin/python3 -m venv --system-site-packages "$work/venv"
# --no-index: only the wheel and what is already installed; a missing or too
# old grpcio/protobuf fails here rather than being fetched.
"$work/venv/bin/pip" install --quiet --no-index "$wheel"

# The wheel's metadata and the module's __version__, as installed.
check_version "the installed wheel" "$("$work/venv/bin/python" -I -c \
  'import importlib.metadata as m, captoken; v = m.version("captoken"); print(v if v == captoken.__version__ else v + " (captoken.__version__ " + captoken.__version__ + ")")')"

mkdir "$work/app"
cat >"$work/app/mint.py" <<'PY'
import os
import sys

import captoken

# Imported from the venv, not the repository.
venv = os.environ["VIRTUAL_ENV"]
if not os.path.abspath(captoken.__file__).startswith(venv + os.sep):
    sys.exit(f"captoken imported from {captoken.__file__}, not {venv}")

with captoken.TokenClient(sys.argv[1], deadline=5.0) as client:
    access = client.mint_access_token("AC00000000000000000000000000000000", "alice",
                                      [captoken.video_grant("standup")])
    minted = client.mint_capability_token("AC00000000000000000000000000000000",
                                          [captoken.client_incoming("alice")])
    print(minted.token)
    ok = (client.verify_token(minted.token).valid
          and client.verify_token(access.token).kind == captoken.TokenKind.ACCESS)
    print("valid" if ok else "invalid")
PY
# -I: isolated mode, so neither PYTHONPATH nor the current directory can
# supply captoken.
(cd "$work/app" && VIRTUAL_ENV=$work/venv "$work/venv/bin/python" -I mint.py "$address") >"$work/out"
check_minted "$work/out"
echo "ok: $(basename "$wheel"), installed into a new venv, minted and verified a token"
