"""End-to-end tests: the Python client against the real captoken server.

The module starts $CAPTOKEN_SERVER (default bazel-bin/service/server) as a
child process on a free loopback port, with a random auth token, and checks
every minted token byte for byte against $CAPTOKEN_CLI (default
bazel-bin/client/cli/captoken) signing the same request locally at the same
second. The server is stopped with SIGTERM at the end and must exit 0.
"""

import base64
import datetime as dt
import hashlib
import hmac
import itertools
import json
import os
import re
import secrets
import threading
import time
import unittest
import urllib.parse

import grpc
from google.protobuf import json_format

import captoken
from captoken.v1 import capability_pb2

from _processes import REPO, ServerProcess, SilentServer, cli_sign

ACCOUNT = "AC0123456789abcdef0123456789abcdef"
VERIFY_ONLY = "ACfedcba9876543210fedcba9876543210"
SHARED_KEY = "AC22222222222222222222222222222222"  # same auth token as ACCOUNT
UNKNOWN = "AC11111111111111111111111111111111"
APP = "AP89abcdef0123456789abcdef01234567"
AUTH_ENV = "PY_E2E_AUTH_TOKEN"
OLD_AUTH_ENV = "PY_E2E_AUTH_TOKEN_OLD"
MINT_METHOD = "/captoken.v1.TokenService/MintCapabilityToken"
UTC = dt.timezone.utc

# Parameters whose bytes need escaping: spaces, &, =, +, %, /, ?, non-ASCII
# (two, three and four UTF-8 bytes), an empty value. Deliberately unsorted:
# the token must keep this order.
PARAMS = [
    ("To", "+1 555 123 4567"),
    ("From", "a&b=c+d"),
    ("Grüße", "Ünïcödé 世界 😀 100%"),
    ("path", "/x?y=z#w"),
    ("Empty", ""),
]
# A dict: insertion order is the order sent.
FILTERS = {"CallSid": "CA123", "Account Sid": "x=y&z", "päth": "/a/b?c d"}

SCOPE_SETS = {
    "empty": [],
    "client_incoming": [captoken.client_incoming("alice")],
    "client_incoming_escaped": [captoken.client_incoming("zoë a&b=c+d")],
    "client_outgoing": [captoken.client_outgoing(APP, params=PARAMS, client_name="bob smith")],
    "client_outgoing_bare": [captoken.client_outgoing(APP)],
    "event_stream": [captoken.event_stream(filters=FILTERS)],
    "event_stream_bare": [captoken.event_stream()],
    "all_kinds": [
        captoken.client_incoming("alice"),
        captoken.client_outgoing(APP, params=PARAMS, client_name="alice"),
        captoken.event_stream(filters=list(FILTERS.items())),
    ],
}

PROFILES = [None, captoken.Profile.TWILIO_PYTHON, captoken.Profile.TWILIO_NODE]

server = None
auth_token = None
old_auth_token = None


def setUpModule():
    global server, auth_token, old_auth_token
    auth_token = secrets.token_urlsafe(24)
    old_auth_token = secrets.token_urlsafe(24)
    server = ServerProcess(
        f'accounts {{ account_sid: "{ACCOUNT}" auth_token {{ env: "{AUTH_ENV}" }} }}\n'
        f'accounts {{ account_sid: "{SHARED_KEY}" auth_token {{ env: "{AUTH_ENV}" }} }}\n'
        f'accounts {{ account_sid: "{VERIFY_ONLY}" auth_token {{ env: "{OLD_AUTH_ENV}" }}'
        ' verify_only: true }\n',
        env={AUTH_ENV: auth_token, OLD_AUTH_ENV: old_auth_token})


def tearDownModule():
    if server is None:
        return
    status = server.terminate()
    if status != 0:
        raise AssertionError(
            f"the server exited {status} after SIGTERM; it printed:\n{server.output()}")
    if not server.events("stopped"):
        raise AssertionError("the server did not log `stopped`:\n" + server.output())


class CapturingInterceptor(grpc.UnaryUnaryClientInterceptor):
    """Records each call's method, timeout and request as sent."""

    def __init__(self):
        self.calls = []

    def intercept_unary_unary(self, continuation, client_call_details, request):
        self.calls.append((client_call_details.method, client_call_details.timeout,
                           request))
        return continuation(client_call_details, request)


def jwt_part(token, index):
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def unix_seconds(when):
    return (when - dt.datetime(1970, 1, 1, tzinfo=UTC)) // dt.timedelta(seconds=1)


def token_param_lists(token):
    """The parameter lists inside a token's scope claim, decoded, in token
    order, as {"client:outgoing": [(k, v), ...], "stream:subscribe": [...]}."""
    found = {}
    for scope in jwt_part(token, 1)["scope"].split(" "):
        if not scope:
            continue
        head, _, query = scope.partition("?")
        for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
            if key in ("appParams", "params"):
                found[head[len("scope:"):]] = urllib.parse.parse_qsl(
                    value, keep_blank_values=True, strict_parsing=True)
    return found


class E2ETestCase(unittest.TestCase):

    def setUp(self):
        self.client = captoken.TokenClient(server.target, deadline=10.0)
        self.addCleanup(self.client.close)

    def assertError(self, code, call, *args, **kwargs):
        with self.assertRaises(captoken.TokenServiceError) as caught:
            call(*args, **kwargs)
        error = caught.exception
        self.assertIs(error.code, code, str(error))
        self.assertIsInstance(error.details, str)
        self.assertTrue(error.details)
        self.assertIn(code.name, str(error))
        self.assertNotIn(auth_token, error.details)
        return error


class MintMatchesCliTest(E2ETestCase):
    """Every scope kind, both profiles and the server default, every way of
    giving a lifetime: the server's token equals the CLI's, byte for byte."""

    def test_tokens_match_local_signing(self):
        capture = CapturingInterceptor()
        client = captoken.TokenClient.from_channel(
            grpc.intercept_channel(grpc.insecure_channel(server.target), capture),
            deadline=7.5)
        self.addCleanup(client.close)
        # Fixed once: every request asks for the same absolute expiry.
        expire_at = dt.datetime.now(UTC).replace(microsecond=0) + dt.timedelta(minutes=15)
        lifetimes = {
            "default": {},
            "ttl_timedelta": {"ttl": dt.timedelta(minutes=10)},
            "ttl_seconds": {"ttl": 86400},
            "expire_time": {"expire_time": expire_at},
        }
        cases = 0
        for (scope_name, scopes), profile, (life_name, lifetime) in itertools.product(
                SCOPE_SETS.items(), PROFILES, lifetimes.items()):
            with self.subTest(scopes=scope_name, profile=profile, lifetime=life_name):
                before = dt.datetime.now(UTC).replace(microsecond=0)
                minted = client.mint_capability_token(
                    ACCOUNT, scopes, profile=profile, **lifetime)
                after = dt.datetime.now(UTC)

                # What went on the wire is what build_capability_request makes,
                # with the client's deadline.
                method, timeout, sent = capture.calls[-1]
                self.assertEqual(method, MINT_METHOD)
                self.assertEqual(timeout, 7.5)
                self.assertIsInstance(sent, capability_pb2.CapabilityRequest)
                self.assertEqual(sent, captoken.build_capability_request(
                    ACCOUNT, scopes, profile=profile, **lifetime))

                # Times: aware UTC datetimes, consistent with the request.
                for when in (minted.issue_time, minted.expire_time):
                    self.assertIsInstance(when, dt.datetime)
                    self.assertEqual(when.utcoffset(), dt.timedelta(0))
                self.assertTrue(before <= minted.issue_time <= after,
                                (before, minted.issue_time, after))
                if "ttl" in lifetime:
                    ttl = lifetime["ttl"]
                    ttl = ttl if isinstance(ttl, dt.timedelta) else dt.timedelta(seconds=ttl)
                    want_expiry = minted.issue_time + ttl
                elif "expire_time" in lifetime:
                    want_expiry = expire_at
                else:
                    want_expiry = minted.issue_time + dt.timedelta(seconds=3600)
                self.assertEqual(minted.expire_time, want_expiry)
                want_profile = profile or captoken.Profile.TWILIO_PYTHON
                self.assertEqual(minted.profile, want_profile)
                self.assertEqual(minted.token_fingerprint,
                                 hashlib.sha256(minted.token.encode()).hexdigest()[:16])
                self.assertNotIn(minted.token, repr(minted))

                # Byte for byte against the CLI, same request, same second.
                issued_at = unix_seconds(minted.issue_time)
                request_json = json_format.MessageToJson(sent, indent=None)
                expected = cli_sign(request_json, AUTH_ENV, issued_at,
                                    env={AUTH_ENV: auth_token})
                self.assertEqual(minted.token, expected)

                # The claims, independently of the CLI.
                claims = jwt_part(minted.token, 1)
                self.assertEqual(claims["iss"], ACCOUNT)
                self.assertEqual(claims["exp"], unix_seconds(want_expiry))
                if want_profile == captoken.Profile.TWILIO_NODE:
                    self.assertEqual(claims["iat"], issued_at)
                else:
                    self.assertNotIn("iat", claims)

                # Parameter order survives into the token, in both profiles.
                params = token_param_lists(minted.token)
                if scope_name in ("client_outgoing", "all_kinds"):
                    self.assertEqual(params.get("client:outgoing"), PARAMS)
                if scope_name in ("event_stream", "all_kinds"):
                    self.assertEqual(params.get("stream:subscribe"), list(FILTERS.items()))
                if scope_name.endswith("_bare") or scope_name == "empty":
                    self.assertEqual(params, {})
                cases += 1
        self.assertEqual(cases, len(SCOPE_SETS) * len(PROFILES) * len(lifetimes))
        self.assertEqual(len(capture.calls), cases)
        self.assertTrue(client.verify_token(minted.token).valid)
        method, timeout, sent = capture.calls[-1]
        self.assertEqual(method, "/captoken.v1.TokenService/VerifyToken")
        self.assertEqual(timeout, 7.5)
        self.assertEqual(sent.token, minted.token)

    def test_python_profile_copies_incoming_name(self):
        minted = self.client.mint_capability_token(
            ACCOUNT, [captoken.client_incoming("alice"), captoken.client_outgoing(APP)],
            profile=captoken.Profile.TWILIO_PYTHON)
        scope = jwt_part(minted.token, 1)["scope"]
        self.assertIn("scope:client:outgoing?", scope)
        self.assertIn("clientName=alice", scope.split(" ")[1])

    def test_audit_log_has_fingerprint(self):
        minted = self.client.mint_capability_token(ACCOUNT, [captoken.client_incoming("al")])
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if any(line.get("token_fingerprint") == minted.token_fingerprint
                   for line in server.events("audit")):
                break
            time.sleep(0.02)
        else:
            self.fail("no audit line carries the token's fingerprint")
        self.assertNotIn(minted.token, server.output())
        self.assertNotIn(auth_token, server.output())


# The SDK reference cases (tests/vectors/python): their clock and auth token.
VECTORS = os.path.join(REPO, "tests", "vectors", "python")
VECTOR_NOW = 1700000000
VECTOR_AUTH_TOKEN = "f0e1d2c3b4a5968778695a4b3c2d1e0f"


def read_vector(case):
    with open(os.path.join(VECTORS, case + ".json"), encoding="utf-8") as f:
        return json.load(f)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vector_token_at(vector, issued_at, secret):
    """The SDK's token as the SDK would have signed it at ``issued_at`` with
    ``secret``: the case's header bytes, its payload text with the
    clock-derived numbers (now, now + 600, now + 3600) moved, signed again."""
    payload = re.sub(r"\b1700000000\b|\b1700000600\b|\b1700003600\b",
                     lambda m: str(int(m.group()) - VECTOR_NOW + issued_at),
                     vector["payload_json"])
    signing_input = vector["token"].split(".")[0] + "." + b64url(payload.encode())
    mac = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256)
    return signing_input + "." + b64url(mac.digest())


class SdkVectorTest(E2ETestCase):
    """The twilio-python 6.x and 7.x-9.x profiles through the server give the
    SDK's own bytes (tests/vectors/python/py6_*, py9_*): the recorded SDK call
    replayed as a request, compared with the case's token moved to the
    response's issue second and the server's auth token."""

    def test_later_python_profiles_give_the_sdks_bytes(self):
        for profile, case in (
                (captoken.Profile.TWILIO_PYTHON_6, "py6_cc05_outgoing_params_special_chars"),
                (captoken.Profile.TWILIO_PYTHON_7, "py9_cc05_outgoing_params_special_chars")):
            with self.subTest(case=case):
                vector = read_vector(case)
                # Moving a case to its own second gives its token back.
                self.assertEqual(vector_token_at(vector, VECTOR_NOW, VECTOR_AUTH_TOKEN),
                                 vector["token"])
                # allow_client_outgoing(APP_SID, **params), params in order.
                [(method, args, kwargs)] = vector["inputs"]["calls"]
                self.assertEqual(method, "allow_client_outgoing")
                minted = self.client.mint_capability_token(
                    ACCOUNT, [captoken.client_outgoing(args[0], params=kwargs)],
                    profile=profile)
                self.assertEqual(minted.profile, profile)
                self.assertEqual(
                    minted.token,
                    vector_token_at(vector, unix_seconds(minted.issue_time), auth_token))

    def test_omit_not_before_leaves_nbf_out(self):
        # py9_cc16: ClientCapabilityToken(ttl=600, nbf=None).
        vector = read_vector("py9_cc16_ttl_600_no_nbf")
        minted = self.client.mint_capability_token(
            ACCOUNT, [captoken.client_incoming("alice")], ttl=600,
            profile="twilio-python-7", omit_not_before=True)
        self.assertNotIn("nbf", jwt_part(minted.token, 1))
        self.assertEqual(
            minted.token,
            vector_token_at(vector, unix_seconds(minted.issue_time), auth_token))


class ErrorsTest(E2ETestCase):

    def test_invalid_account_sid(self):
        error = self.assertError(grpc.StatusCode.INVALID_ARGUMENT,
                                 self.client.mint_capability_token,
                                 "AC123", [captoken.client_incoming("alice")])
        self.assertIn("account_sid", error.details)

    def test_zero_ttl(self):
        error = self.assertError(grpc.StatusCode.INVALID_ARGUMENT,
                                 self.client.mint_capability_token,
                                 ACCOUNT, [captoken.client_incoming("alice")], ttl=0)
        self.assertIn("ttl", error.details)

    def test_fractional_and_too_long_ttl(self):
        for ttl in (1.5, dt.timedelta(hours=24, seconds=1)):
            with self.subTest(ttl=ttl):
                error = self.assertError(grpc.StatusCode.INVALID_ARGUMENT,
                                         self.client.mint_capability_token,
                                         ACCOUNT, [], ttl=ttl)
                self.assertIn("ttl", error.details)

    def test_ttl_and_expire_time(self):
        self.assertError(grpc.StatusCode.INVALID_ARGUMENT,
                         self.client.mint_capability_token, ACCOUNT, [], ttl=60,
                         expire_time=dt.datetime.now(UTC) + dt.timedelta(minutes=5))

    def test_expire_time_in_the_past(self):
        error = self.assertError(grpc.StatusCode.INVALID_ARGUMENT,
                                 self.client.mint_capability_token, ACCOUNT, [],
                                 expire_time=dt.datetime.now(UTC) - dt.timedelta(minutes=5))
        self.assertIn("expire_time", error.details)

    def test_bad_application_sid_names_the_scope(self):
        error = self.assertError(
            grpc.StatusCode.INVALID_ARGUMENT, self.client.mint_capability_token,
            ACCOUNT, [captoken.client_incoming("a"), captoken.client_outgoing("AP123")])
        self.assertIn("scopes[1].client_outgoing.application_sid", error.details)

    def test_empty_client_name(self):
        error = self.assertError(grpc.StatusCode.INVALID_ARGUMENT,
                                 self.client.mint_capability_token,
                                 ACCOUNT, [captoken.client_incoming("")])
        self.assertIn("scopes[0].client_incoming.client_name", error.details)

    def test_repeated_param_key(self):
        error = self.assertError(
            grpc.StatusCode.INVALID_ARGUMENT, self.client.mint_capability_token,
            ACCOUNT, [captoken.client_outgoing(APP, params=[("To", "1"), ("To", "2")])])
        self.assertIn("scopes[0].client_outgoing.params", error.details)

    def test_unknown_and_verify_only_accounts_are_denied_alike(self):
        scopes = [captoken.client_incoming("alice")]
        unknown = self.assertError(grpc.StatusCode.PERMISSION_DENIED,
                                   self.client.mint_capability_token, UNKNOWN, scopes)
        verify_only = self.assertError(grpc.StatusCode.PERMISSION_DENIED,
                                       self.client.mint_capability_token, VERIFY_ONLY, scopes)
        self.assertEqual(unknown.details, verify_only.details)

    def test_request_too_big(self):
        scopes = [captoken.client_outgoing(APP, params=[("k", "v" * 70000)])]
        self.assertError(grpc.StatusCode.RESOURCE_EXHAUSTED,
                         self.client.mint_capability_token, ACCOUNT, scopes)


class DeadlineTest(unittest.TestCase):

    def test_silent_server_gives_deadline_exceeded(self):
        silent = SilentServer()
        self.addCleanup(silent.close)
        with captoken.TokenClient(silent.target, deadline=0.3) as client:
            for name, call in (
                    ("mint", lambda: client.mint_capability_token(
                        ACCOUNT, [captoken.client_incoming("alice")])),
                    ("verify", lambda: client.verify_token("a.b.c"))):
                with self.subTest(call=name):
                    # In a thread, so that a client that ignores its deadline
                    # fails this test instead of hanging it.
                    outcome = {}

                    def run():
                        started = time.monotonic()
                        try:
                            outcome["result"] = call()
                        except BaseException as error:  # checked below
                            outcome["error"] = error
                        outcome["elapsed"] = time.monotonic() - started

                    thread = threading.Thread(target=run, daemon=True)
                    thread.start()
                    thread.join(10.0)
                    self.assertFalse(thread.is_alive(),
                                     "the call did not return within 10 s")
                    self.assertNotIn("result", outcome)
                    error = outcome.get("error")
                    self.assertIsInstance(error, captoken.TokenServiceError, repr(error))
                    self.assertIs(error.code, grpc.StatusCode.DEADLINE_EXCEEDED, str(error))
                    self.assertGreaterEqual(outcome["elapsed"], 0.25)
                    self.assertLess(outcome["elapsed"], 5.0)
        # The client did reach the listener: it was the silence that timed out.
        self.assertGreaterEqual(silent.accepted, 1)


class VerifyTest(E2ETestCase):

    def test_minted_tokens_verify(self):
        for profile in (captoken.Profile.TWILIO_PYTHON, captoken.Profile.TWILIO_NODE):
            with self.subTest(profile=profile):
                scopes = [captoken.client_incoming("alice"),
                          captoken.client_outgoing(APP, params=PARAMS, client_name="alice"),
                          captoken.event_stream(filters=FILTERS)]
                minted = self.client.mint_capability_token(
                    ACCOUNT, scopes, ttl=600, profile=profile)
                for account in (None, ACCOUNT):
                    result = self.client.verify_token(minted.token, account_sid=account)
                    self.assertTrue(result.valid)
                    self.assertTrue(result)
                    self.assertEqual(result.failure, captoken.VerificationFailure.NONE)
                    self.assertEqual(result.account_sid, ACCOUNT)
                    self.assertEqual(result.expire_time, minted.expire_time)
                    self.assertEqual(
                        [s.WhichOneof("scope") for s in result.scopes],
                        ["client_incoming", "client_outgoing", "event_stream"])
                    self.assertEqual(list(result.scopes[1].client_outgoing.params),
                                     list(scopes[1].client_outgoing.params))
                    if profile == captoken.Profile.TWILIO_NODE:
                        self.assertEqual(list(result.scopes), scopes)
                        self.assertEqual(result.issue_time, minted.issue_time)
                    else:
                        self.assertIsNone(result.issue_time)

    def test_bad_tokens(self):
        minted = self.client.mint_capability_token(ACCOUNT, [captoken.client_incoming("a")])
        header, payload, signature = minted.token.split(".")
        flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
        result = self.client.verify_token(f"{header}.{payload}.{flipped}")
        self.assertFalse(result.valid)
        self.assertFalse(result)
        self.assertEqual(result.failure, captoken.VerificationFailure.BAD_SIGNATURE)
        self.assertEqual(result.account_sid, "")
        self.assertEqual(result.scopes, ())
        self.assertIsNone(result.expire_time)

        result = self.client.verify_token("not-a-jwt")
        self.assertEqual(result.failure, captoken.VerificationFailure.MALFORMED)

        # Checked against another account's key, the MAC fails first.
        result = self.client.verify_token(minted.token, account_sid=VERIFY_ONLY)
        self.assertFalse(result.valid)
        self.assertEqual(result.failure, captoken.VerificationFailure.BAD_SIGNATURE)

        # An account with the same key gets past the MAC to the iss check.
        shared = self.client.mint_capability_token(SHARED_KEY, [captoken.client_incoming("a")])
        result = self.client.verify_token(shared.token, account_sid=ACCOUNT)
        self.assertFalse(result.valid)
        self.assertEqual(result.failure, captoken.VerificationFailure.WRONG_ACCOUNT)
        self.assertTrue(self.client.verify_token(shared.token).valid)

    def test_empty_token_is_invalid_argument(self):
        self.assertError(grpc.StatusCode.INVALID_ARGUMENT, self.client.verify_token, "")


class LifecycleTest(unittest.TestCase):

    def test_context_manager_and_close(self):
        with captoken.TokenClient(server.target) as client:
            self.assertEqual(client.deadline, 5.0)
            minted = client.mint_capability_token(ACCOUNT, [captoken.client_incoming("a")])
            self.assertEqual(str(minted), minted.token)
        with self.assertRaises(ValueError):
            client.mint_capability_token(ACCOUNT, [])
        client.close()  # idempotent

    def test_one_client_many_threads(self):
        import concurrent.futures
        with captoken.TokenClient(server.target) as client:
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                tokens = list(pool.map(
                    lambda i: client.mint_capability_token(
                        ACCOUNT, [captoken.client_incoming(f"user{i}")]).token,
                    range(32)))
        self.assertEqual(len(set(tokens)), 32)


if __name__ == "__main__":
    unittest.main()
