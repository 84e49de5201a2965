#!/usr/bin/python3
"""Accepts an oracle only if it reproduces its SDK's reference cases.

  check_oracles.py stdlib5|stdlib6|sdk7 -- COMMAND...

COMMAND is the oracle (its request and answer lines as sdk7_oracle.py's);
every py5_* (stdlib5), py6_* (stdlib6) or py9_* (sdk7: twilio-python 7.7.1
writes 9.11's bytes, tests/vectors/README.md) case in tests/vectors/python
is sent through it and must come back byte for byte. Exits 1, naming each
case that differs, otherwise. run.py runs this before trusting an oracle,
so a wrong oracle cannot make the differential suite pass.
"""

import json
import os
import subprocess
import sys

import vector_requests

PREFIXES = {"stdlib5": {"py5"}, "stdlib6": {"py6"}, "sdk7": {"py9"}}
MINIMUM = {"stdlib5": 15, "stdlib6": 19, "sdk7": 18}


def check(which, command, folder):
  cases = list(vector_requests.cases(folder, PREFIXES[which]))
  lines = "".join(
      json.dumps({"kind": kind, "now": now, "request": request}) + "\n"
      for _, kind, now, request, _ in cases)
  result = subprocess.run(command, input=lines, capture_output=True,
                          text=True, check=True)
  answers = [json.loads(line) for line in result.stdout.splitlines()]
  failures = []
  for (vector_id, _, _, request, token), got in zip(cases, answers):
    if got.get("token") != token:
      failures.append("%s: %s\n  request %s\n  want %s" %
                      (vector_id, got, json.dumps(request), token))
  if len(answers) != len(cases):
    failures.append("%d answers for %d cases" % (len(answers), len(cases)))
  # Cases silently disappearing from the folder must not pass for success.
  if len(cases) < MINIMUM[which]:
    failures.append("only %d reference cases found" % len(cases))
  return len(cases), failures


def main():
  which, separator, *command = sys.argv[1:]
  assert separator == "--" and which in PREFIXES, __doc__
  here = os.path.dirname(os.path.abspath(__file__))
  folder = os.path.join(here, "..", "vectors", "python")
  count, failures = check(which, command, folder)
  for failure in failures:
    print("oracle %s differs from the SDK: %s" % (which, failure),
          file=sys.stderr)
  if failures:
    sys.exit(1)
  print("oracle %s reproduces all %d reference cases" % (which, count))


if __name__ == "__main__":
  main()
