#!/usr/bin/python3
"""A sample of the differential cases through the CLI and the server.

run.py compares the library in process; this sends a few hundred of the
same generated requests through `captoken sign` (at the case's second) and
through a real server on 127.0.0.1:0 (at the server's clock, the SDK then
signing at the issue second the server reports), and compares each token
with the profile's oracle; refusals must be INVALID_ARGUMENT in a
documented category, as in run.py. Every SDK token must pass
`captoken verify` with its secret and fail with another.

  sample.py --cases=50 [--seed=S]     (per profile and kind)

Needs bazel-bin/service/server and bazel-bin/client/cli/captoken
(bazel build //service:server //client/cli:captoken) and client/python's
generated modules (client/python/build.sh).
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys

import grpc
from google.protobuf import json_format

import categories
import generate
import run

sys.path.insert(0, os.path.join(run.ROOT, "client", "python"))
sys.path.insert(0, os.path.join(run.ROOT, "client", "python", "tests"))
from captoken.v1 import access_token_pb2, capability_pb2, taskrouter_pb2  # pylint: disable=g-import-not-at-top
from _processes import ServerProcess  # pylint: disable=g-import-not-at-top

# As the client tests: $CAPTOKEN_CLI (tests/run_all.sh sets it), else
# bazel-bin's.
CLI = os.environ.get("CAPTOKEN_CLI", os.path.join(
    run.ROOT, "bazel-bin", "client", "cli", "captoken"))
ENV = {"CONF_AUTH_TOKEN": run.AUTH_TOKEN, "CONF_KEY_SECRET": run.API_SECRET,
       "CONF_WRONG": "0" * 32}
SECRET_FLAGS = {"access": "--api-key-secret-env=CONF_KEY_SECRET"}
METHODS = {
    "capability": ("MintCapabilityToken", capability_pb2.CapabilityRequest),
    "taskrouter": ("MintTaskRouterToken", taskrouter_pb2.TaskRouterRequest),
    "access": ("MintAccessToken", access_token_pb2.AccessTokenRequest),
}
GRPC_CODES = {c.value[0]: c.name for c in grpc.StatusCode}


def cli(*args):
  result = subprocess.run([CLI, *args], capture_output=True, text=True,
                          env={**os.environ, **ENV}, check=False)
  return result.returncode, result.stdout.strip(), result.stderr.strip()


def oracle(profile, kind, pairs):
  lines = [run.request_line(now, request, kind) for now, request in pairs]
  return [json.loads(l) for l in run.pipe(
      run.ORACLES[profile] + [run.AUTH_TOKEN, run.API_SECRET], lines)]


def judge(failures, where, seed, kind, profile, request, ours, sdk):
  """ours: ("token", t) or (code, message)."""
  if ours[0] == "token":
    if "token" in sdk and sdk["token"] != ours[1]:
      failures.append((where + ": different bytes", seed, kind, profile,
                       request, ours[1], sdk["token"]))
    elif "error" in sdk:
      failures.append((where + ": signed what the SDK refuses", seed, kind,
                       profile, request, ours[1], sdk))
  elif categories.classify(*ours) is None:
    failures.append((where + ": undocumented refusal", seed, kind, profile,
                     request, ours, sdk))


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument("--cases", type=int, default=50)
  parser.add_argument("--seed", default="0")
  args = parser.parse_args()
  base = int(hashlib.sha256(("sample-" + args.seed).encode()).hexdigest()[:10],
             16)
  server = ServerProcess(
      'accounts { account_sid: "%s" auth_token { env: "CONF_AUTH_TOKEN" } '
      'api_keys { sid: "%s" secret { env: "CONF_KEY_SECRET" } } }\n' %
      ("AC0123456789abcdef0123456789abcdef", generate.KEY), env=ENV)
  channel = grpc.insecure_channel(server.target)
  failures = []
  counts = {"cli": 0, "server": 0, "verify": 0, "unsendable": 0}
  try:
    for profile in generate.PROFILES:
      for kind in generate.KINDS:
        seeds = [base * 10**7 + i for i in range(args.cases)]
        cases = [generate.case(s, kind, profile) for s in seeds]
        # The server signs for its one account and API key: the request
        # names them (a malformed SID stays, to be refused).
        for _, request in cases:
          request["account_sid"] = "AC0123456789abcdef0123456789abcdef"
          if re.fullmatch("SK[0-9a-f]{32}", request.get("api_key_sid", "")):
            request["api_key_sid"] = generate.KEY
        sdks = oracle(profile, kind, cases)
        method, message = METHODS[kind]
        call = channel.unary_unary(
            "/captoken.v1.TokenService/" + method,
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=capability_pb2.TokenResponse.FromString)
        served = []
        for seed, (now, request), sdk in zip(seeds, cases, sdks):
          status, out, err = cli(
              "sign", kind, "--request=" + json.dumps(request),
              "--issued-at=%d" % now,
              SECRET_FLAGS.get(kind, "--auth-token-env=CONF_AUTH_TOKEN"))
          # A refusal is printed as "captoken: CODE: message".
          refusal = re.match(r"captoken: ([A-Z_]+): (.*)", err)
          ours = (("token", out) if status == 0 else
                  refusal.groups() if refusal else ("EXIT %d" % status, err))
          counts["cli"] += 1
          judge(failures, "cli", seed, kind, profile, request, ours, sdk)
          if "token" in sdk and status == 0:
            counts["verify"] += 1
            secret = SECRET_FLAGS.get(kind, "--auth-token-env=CONF_AUTH_TOKEN")
            wrong = secret.split("=")[0] + "=CONF_WRONG"
            at = "--at=%d" % run.verify_at(sdk["token"])
            if cli("verify", secret, at, sdk["token"])[0] != 0:
              failures.append(("captoken verify rejects the SDK's", seed,
                               kind, profile, request, None, sdk))
            if cli("verify", wrong, at, sdk["token"])[0] == 0:
              failures.append(("captoken verify takes a wrong secret", seed,
                               kind, profile, request, None, sdk))
          try:
            parsed = json_format.Parse(json.dumps(request), message())
          except json_format.ParseError:
            # The client library cannot build it (a lone surrogate): no
            # client can send it; the CLI above took the text.
            counts["unsendable"] += 1
            continue
          try:
            response = call(parsed, timeout=10)
            served.append((seed, request, response.issue_time.seconds,
                           ("token", response.token)))
          except grpc.RpcError as e:
            served.append((seed, request, None,
                           (e.code().name, e.details())))
        # The SDK signs again at the second the server signed at.
        redo = [(at, request) for _, request, at, _ in served if at]
        again = iter(oracle(profile, kind, redo))
        for seed, request, at, ours in served:
          counts["server"] += 1
          judge(failures, "server", seed, kind, profile, request, ours,
                next(again) if at else {})
  finally:
    channel.close()
    server.terminate()
  print("through the CLI: %(cli)d, through the server: %(server)d (and "
        "%(unsendable)d no client can encode), SDK tokens through captoken "
        "verify: %(verify)d" % counts)
  for what, seed, kind, profile, request, ours, sdk in failures[:20]:
    print("MISMATCH %s (seed %d, %s, %s)\n  request %s\n  captoken %s\n"
          "  sdk      %s" % (what, seed, kind, profile, json.dumps(request),
                             ours, sdk))
  if failures:
    sys.exit("%d mismatches through the CLI or the server" % len(failures))


if __name__ == "__main__":
  main()
