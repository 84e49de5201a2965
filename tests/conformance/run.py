#!/usr/bin/python3
"""The differential conformance suite: captoken against the official SDKs.

For each profile and token kind, generate.py's random requests go to
captoken (sign_driver, in process) and to the profile's oracle:

  PROFILE_TWILIO_PYTHON    stdlib_oracle.py 5  (validated: check_oracles.py)
  PROFILE_TWILIO_PYTHON_6  stdlib_oracle.py 6  (validated: check_oracles.py)
  PROFILE_TWILIO_PYTHON_7  sdk7_oracle.py, Debian's twilio-python 7.7.1
  PROFILE_TWILIO_NODE      node/oracle.js, twilio-node 6.3.1 from npm

each one process per batch. A token must equal the SDK's byte for byte; a
request captoken refuses must be refused with INVALID_ARGUMENT for a reason
in categories.py (the deviations docs/token-library.md lists); anything
else is a mismatch. Every captoken token must also verify under
twilio-python's Jwt.from_jwt, PyJWT and jsonwebtoken.verify, and every SDK
token under captoken's verifier with its secret and under no other.

  run.py --cases=20000 [--seed=S] [--report=FILE] [--cli-sample=N]
  run.py --replay=SEED --kind=K --profile=P     one case, shown in full

Exits 1 on any mismatch, printing each one's seed and request.
"""

import argparse
import collections
import concurrent.futures
import datetime
import hashlib
import json
import os
import subprocess
import sys
import time

import jwt as pyjwt

import categories
import generate

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
# The SDK vectors' fake credentials (tests/vectors/SDK_VECTORS_README.md).
AUTH_TOKEN = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
API_SECRET = "sEcReT0123456789sEcReT0123456789"
WRONG = ("0" * 32, "not-the-secret-0123456789abcdef")
BATCH = 25000

PY = "/usr/bin/python3"
ORACLES = {
    "PROFILE_TWILIO_PYTHON": [PY, "stdlib_oracle.py", "5"],
    "PROFILE_TWILIO_PYTHON_6": [PY, "stdlib_oracle.py", "6"],
    "PROFILE_TWILIO_PYTHON_7": [PY, "sdk7_oracle.py"],
    "PROFILE_TWILIO_NODE": ["node", "node/oracle.js"],
}
CHECKS = {"PROFILE_TWILIO_PYTHON": "stdlib5",
          "PROFILE_TWILIO_PYTHON_6": "stdlib6",
          "PROFILE_TWILIO_PYTHON_7": "sdk7"}


def pipe(command, lines):
  """Runs one process over all `lines`; its output lines."""
  result = subprocess.run(command, input="".join(l + "\n" for l in lines),
                          capture_output=True, text=True, cwd=HERE,
                          check=False)
  if result.returncode != 0:
    sys.exit("%s failed: %s" % (command[:2], result.stderr[-2000:]))
  # Lines end at "\n" only: str.splitlines() would also split at U+2028
  # and other separators that node's JSON.stringify leaves raw.
  return result.stdout.split("\n")[:-1]


def request_line(now, request, kind):
  # ensure_ascii: a lone surrogate stays an escape, as a client would send.
  return json.dumps({"kind": kind, "now": now, "request": request})


def driver(driver_bin, secrets, lines):
  out = []
  for line in pipe([driver_bin, *secrets], lines):
    status, _, rest = line.partition("\t")
    if status == "OK":
      out.append({"token": rest} if rest else {"ok": True})
    else:
      code, _, message = rest.partition("\t")
      out.append({"code": code, "message": message})
  return out


class FrozenDatetime(datetime.datetime):
  """PyJWT's clock (jwt.api_jwt.datetime), frozen at `at`."""
  at = 0

  @classmethod
  def now(cls, tz=None):
    return datetime.datetime.fromtimestamp(cls.at, tz)


pyjwt.api_jwt.datetime = FrozenDatetime
from twilio.jwt import Jwt  # pylint: disable=g-import-not-at-top


def verify_at(token):
  """The second to verify at: the issue second, or nbf if later."""
  payload = pyjwt.decode(token, options={"verify_signature": False})
  iat = int(payload["jti"].rsplit("-", 1)[1]) if "jti" in payload else None
  start = payload.get("iat", iat)
  if start is None:
    start = payload["exp"] - 1
  return max(start, payload.get("nbf", start))


def python_verifies(token, secret, at):
  """twilio-python's Jwt.from_jwt and plain PyJWT, at `at`: an error or ''."""
  FrozenDatetime.at = at
  try:
    Jwt.from_jwt(token, secret)
    pyjwt.decode(token, secret, algorithms=["HS256"])
  except Exception as e:  # Both raise their own types.
    return "%s: %s" % (type(e).__name__, e)
  return ""


class Tally:

  def __init__(self):
    self.cases = collections.Counter()
    self.signed = collections.Counter()
    self.refused = collections.Counter()  # (profile, category)
    self.inexpressible = collections.Counter()  # (profile, reason)
    self.mismatches = []

  def fail(self, seed, kind, profile, what, request, ours, theirs):
    self.mismatches.append({"seed": seed, "kind": kind, "profile": profile,
                            "what": what, "request": request, "captoken": ours,
                            "sdk": theirs})


def run_batch(seeds, kind, profile, driver_bin, tally):
  cases = [generate.case(seed, kind, profile) for seed in seeds]
  lines = [request_line(now, request, kind) for now, request in cases]
  driver_lines = [
      "sign\t%s\t%d\t%s" % (kind, now, json.dumps(request))
      for now, request in cases]
  with concurrent.futures.ThreadPoolExecutor(2) as pool:
    ours_f = pool.submit(driver, driver_bin, (AUTH_TOKEN, API_SECRET),
                         driver_lines)
    theirs_f = pool.submit(pipe, ORACLES[profile] + [AUTH_TOKEN, API_SECRET],
                           lines)
    ours = ours_f.result()
    theirs = [json.loads(line) for line in theirs_f.result()]
  assert len(ours) == len(theirs) == len(cases), "lost answers"
  secret = {"access": API_SECRET}.get(kind, AUTH_TOKEN)
  to_verify = []  # (index, token, at, whose)
  for i, (seed, (now, request), mine, sdk) in enumerate(
      zip(seeds, cases, ours, theirs)):
    tally.cases[profile, kind] += 1
    if "code" in mine:
      category = categories.classify(mine["code"], mine["message"])
      if category is None:
        tally.fail(seed, kind, profile, "refused for an undocumented reason",
                   request, mine, sdk)
      else:
        tally.refused[profile, category] += 1
      continue
    tally.signed[profile, kind] += 1
    at = verify_at(mine["token"])
    to_verify.append((i, mine["token"], at, "captoken"))
    if "token" in sdk:
      if sdk["token"] != mine["token"]:
        tally.fail(seed, kind, profile, "different bytes", request,
                   mine["token"], sdk["token"])
      else:
        to_verify.append((i, sdk["token"], at, "sdk"))
    elif "inexpressible" in sdk:
      tally.inexpressible[profile, sdk["inexpressible"]] += 1
    else:
      tally.fail(seed, kind, profile, "signed what the SDK refuses", request,
                 mine["token"], sdk)
  cross_verify(seeds, cases, kind, profile, secret, to_verify, driver_bin,
               tally)


def cross_verify(seeds, cases, kind, profile, secret, to_verify, driver_bin,
                 tally):
  """Every token under every decoder that should take it, and no wrong key."""
  ours = [(i, t, at) for i, t, at, who in to_verify if who == "captoken"]
  sdks = [(i, t, at) for i, t, at, who in to_verify if who == "sdk"]
  for i, token, at in ours:
    error = python_verifies(token, secret, at)
    if error:
      tally.fail(seeds[i], kind, profile, "twilio-python/PyJWT rejects ours: " +
                 error, cases[i][1], token, None)
  node_lines = [json.dumps({"verify": t, "secret": secret, "now": at})
                for _, t, at in ours]
  for (i, token, _), line in zip(ours, pipe(ORACLES["PROFILE_TWILIO_NODE"],
                                            node_lines)):
    if not json.loads(line).get("ok"):
      tally.fail(seeds[i], kind, profile, "jsonwebtoken rejects ours: " + line,
                 cases[i][1], token, None)
  lines = ["verify\t%d\t%s" % (at, t) for _, t, at in sdks]
  right = driver(driver_bin, (AUTH_TOKEN, API_SECRET), lines)
  wrong = driver(driver_bin, WRONG, lines)
  for (i, token, _), good, bad in zip(sdks, right, wrong):
    if not good.get("ok"):
      tally.fail(seeds[i], kind, profile, "captoken verify rejects the SDK's",
                 cases[i][1], good, token)
    if bad.get("ok"):
      tally.fail(seeds[i], kind, profile,
                 "captoken verify takes the SDK's under a wrong secret",
                 cases[i][1], bad, token)


def check_oracles():
  """No oracle is used before it reproduces its SDK's reference cases."""
  versions = {}
  for profile, which in CHECKS.items():
    subprocess.run([PY, "check_oracles.py", which, "--",
                    *ORACLES[profile], AUTH_TOKEN, API_SECRET],
                   cwd=HERE, check=True)
  versions["PROFILE_TWILIO_PYTHON_7"] = "twilio-python %s, PyJWT %s" % (
      __import__("twilio").__version__, pyjwt.__version__)
  node_version = subprocess.run(
      ["node", "-p", "require('twilio/package.json').version + ', jsonwebtoken '"
       " + require('jsonwebtoken/package.json').version + ', node ' + "
       "process.version"], cwd=os.path.join(HERE, "node"),
      capture_output=True, text=True, check=True).stdout.strip()
  versions["PROFILE_TWILIO_NODE"] = "twilio-node " + node_version
  versions["PROFILE_TWILIO_PYTHON"] = (
      "stdlib oracle of twilio-python 5.x, Python %s" % sys.version.split()[0])
  versions["PROFILE_TWILIO_PYTHON_6"] = (
      "stdlib oracle of twilio-python 6.x + PyJWT 1.7.1, Python %s" %
      sys.version.split()[0])
  return versions


def report(tally, versions, args, seconds):
  lines = ["# Conformance run", "",
           "seed `%s`, %d cases per profile and kind, %.0f s" %
           (args.seed, args.cases, seconds), "",
           "| profile | oracle | cases | signed, compared | refused | "
           "not expressible in the SDK | mismatches |",
           "|---|---|---|---|---|---|---|"]
  for profile in generate.PROFILES:
    cases = sum(v for (p, _), v in tally.cases.items() if p == profile)
    signed = sum(v for (p, _), v in tally.signed.items() if p == profile)
    refused = sum(v for (p, _), v in tally.refused.items() if p == profile)
    inexpressible = sum(
        v for (p, _), v in tally.inexpressible.items() if p == profile)
    bad = sum(1 for m in tally.mismatches if m["profile"] == profile)
    lines.append("| %s | %s | %d | %d | %d | %d | %d |" %
                 (profile, versions[profile], cases,
                  signed - inexpressible, refused, inexpressible, bad))
  lines += ["", "Refusals by category (all INVALID_ARGUMENT):", "",
            "| category | " + " | ".join(
                p.replace("PROFILE_TWILIO_", "") for p in generate.PROFILES) +
            " |", "|---|" + "---|" * len(generate.PROFILES)]
  for category in sorted({c for _, c in tally.refused}):
    lines.append("| %s | %s |" % (category, " | ".join(
        str(tally.refused[p, category]) for p in generate.PROFILES)))
  lines += ["", "Signed by captoken, not expressible through the SDK's calls "
            "(compared with no SDK; still cross-verified):", ""]
  for (profile, reason), count in sorted(tally.inexpressible.items()):
    lines.append("- %s: %s (%d)" % (profile, reason, count))
  return "\n".join(lines) + "\n"


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--cases", type=int, default=20000)
  parser.add_argument("--seed", default="0")
  parser.add_argument("--report")
  parser.add_argument("--driver", default=os.path.join(
      ROOT, "bazel-bin", "tests", "conformance", "sign_driver"))
  parser.add_argument("--profiles", default=",".join(generate.PROFILES))
  parser.add_argument("--replay", type=int)
  parser.add_argument("--messages", action="store_true",
                      help="count the undocumented refusals' messages")
  parser.add_argument("--kind")
  parser.add_argument("--profile")
  args = parser.parse_args()
  if args.replay is not None:
    now, request = generate.case(args.replay, args.kind, args.profile)
    print(json.dumps({"now": now, "request": request}, ensure_ascii=False,
                     indent=1))
    return
  started = time.monotonic()
  versions = check_oracles()
  tally = Tally()
  # Any text seeds a run (./dev test passes the commit); each case's own
  # seed, printed with a mismatch, is derived from it.
  base = int(hashlib.sha256(args.seed.encode()).hexdigest()[:10], 16)
  for profile in args.profiles.split(","):
    for kind in generate.KINDS:
      for start in range(0, args.cases, BATCH):
        seeds = [base * 10**7 + s
                 for s in range(start, min(args.cases, start + BATCH))]
        run_batch(seeds, kind, profile, args.driver, tally)
      print("%s %s: %d cases, %d signed, %d mismatches so far (%.0f s)" %
            (profile, kind, tally.cases[profile, kind],
             tally.signed[profile, kind], len(tally.mismatches),
             time.monotonic() - started), flush=True)
  text = report(tally, versions, args, time.monotonic() - started)
  print(text)
  if args.report:
    with open(args.report, "w", encoding="utf-8") as f:
      f.write(text)
  if args.messages:
    import re
    seen = collections.Counter(
        re.sub(r"\[\d+\]", "[i]", str(m["captoken"].get("message")))
        for m in tally.mismatches if isinstance(m["captoken"], dict))
    for message, count in seen.most_common():
      print("%6d %s" % (count, message))
  for m in tally.mismatches[:20]:
    print("MISMATCH %s (replay: run.py --replay=%d --kind=%s --profile=%s)\n"
          "  request %s\n  captoken %s\n  sdk      %s" %
          (m["what"], m["seed"], m["kind"], m["profile"],
           json.dumps(m["request"]), m["captoken"], m["sdk"]))
  if tally.mismatches:
    sys.exit("%d mismatches" % len(tally.mismatches))


if __name__ == "__main__":
  main()
