#!/usr/bin/python3
"""Times PyJWT (Debian's python3-jwt) minting the benchmark's typical token.

bench/run.py runs it and compares the rates with our signing rate measured
in the same run. The token is bench/token_benchmark.cc's TypicalSpec: an
incoming scope for "alice" and an outgoing scope with the parameters To and
CallerId, at the vectors' frozen clock (1700000000 s).

Two measurements, each the median of several rounds, per CPU second of this
process ("per core": encoding is single-threaded):

  twilio_python   what twilio-python 6+ does for a ClientCapabilityToken:
                  build each scope URI (parameters sorted and form-encoded,
                  the incoming client name copied into the outgoing scope),
                  then jwt.encode() the claims. The claims equal those of our
                  twilio-python profile token (whose JSON spacing differs:
                  it reproduces twilio-python 5.x's encoder, not PyJWT's).
  encode_only     jwt.encode() alone, of the claims of our twilio-node
                  profile token, in the same order: PyJWT's output is then
                  byte for byte our node-profile token.

    bench_pyjwt.py [--seconds=2] [--rounds=5]

Prints one JSON object.
"""

import argparse
import json
import sys
import time
from urllib.parse import urlencode

import jwt

ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
AUTH_TOKEN = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
APP_SID = "AP89abcdef0123456789abcdef01234567"
NOW = 1700000000
TTL = 3600


class ScopeURI:
    """twilio-python's ScopeURI (twilio/jwt/client/__init__.py)."""

    def __init__(self, service, privilege, params=None):
        self.service = service
        self.privilege = privilege
        self.params = params or {}

    def add_param(self, key, value):
        self.params[key] = value

    def to_payload(self):
        if self.params:
            encoded = urlencode(sorted(self.params.items()))
            return "scope:%s:%s?%s" % (self.service, self.privilege, encoded)
        return "scope:%s:%s" % (self.service, self.privilege)


def mint_twilio_python():
    """ClientCapabilityToken's steps: allow_client_incoming("alice"),
    allow_client_outgoing(APP_SID, To=..., CallerId=...), to_jwt()."""
    capabilities = {}
    client_name = "alice"
    capabilities["incoming"] = ScopeURI("client", "incoming",
                                        {"clientName": client_name})
    outgoing = ScopeURI("client", "outgoing", {"appSid": APP_SID})
    outgoing.add_param("appParams", urlencode(
        {"To": "+15551234567", "CallerId": "client:alice"}, doseq=True))
    capabilities["outgoing"] = outgoing
    capabilities["outgoing"].add_param("clientName", client_name)
    payload = {
        "scope": " ".join(s.to_payload() for s in capabilities.values()),
        "iss": ACCOUNT_SID,
        "exp": NOW + TTL,
    }
    return jwt.encode(payload, AUTH_TOKEN, algorithm="HS256",
                      headers={"typ": "JWT", "alg": "HS256"})


NODE_SCOPE = (
    "scope:client:incoming?clientName=alice "
    "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567"
    "&appParams=To%3D%252B15551234567%26CallerId%3Dclient%253Aalice")


def mint_encode_only():
    payload = {"scope": NODE_SCOPE, "iss": ACCOUNT_SID, "exp": NOW + TTL,
               "iat": NOW}
    return jwt.encode(payload, AUTH_TOKEN, algorithm="HS256")


def measure(fn, seconds):
    count = 0
    wall_start = time.perf_counter()
    cpu_start = time.process_time()
    deadline = wall_start + seconds
    while time.perf_counter() < deadline:
        for _ in range(100):
            fn()
        count += 100
    wall = time.perf_counter() - wall_start
    cpu = time.process_time() - cpu_start
    return count / cpu, count / wall


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    result = {"peer": "PyJWT jwt.encode()", "pyjwt": jwt.__version__,
              "python": sys.version.split()[0]}
    for name, fn in (("twilio_python", mint_twilio_python),
                     ("encode_only", mint_encode_only)):
        measure(fn, min(0.3, args.seconds))  # warm-up
        rounds = [measure(fn, args.seconds) for _ in range(args.rounds)]
        result[name] = {
            "tokens_per_cpu_second": median(r[0] for r in rounds),
            "tokens_per_wall_second": median(r[1] for r in rounds),
            "token": fn(),
        }
    result["rounds"] = args.rounds
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
