"""End-to-end tests of the TaskRouter, Access Token and BatchMint calls: the
Python client against the real captoken server.

Like test_e2e.py, the module starts $CAPTOKEN_SERVER on a free loopback port
(here with API keys as well as an auth token, each a random secret) and
checks every minted token byte for byte against $CAPTOKEN_CLI signing the
exact request captured on the wire (``captoken sign taskrouter|access``) at
the response's issue second. The server must exit 0 on SIGTERM.
"""

import base64
import datetime as dt
import hashlib
import itertools
import json
import secrets
import threading
import time
import unittest

import grpc
from google.protobuf import json_format

import captoken
from captoken.v1 import (access_token_pb2, taskrouter_pb2,
                         token_service_pb2)

from _processes import ServerProcess, SilentServer, cli_sign

ACCOUNT = "AC0123456789abcdef0123456789abcdef"
UNKNOWN = "AC11111111111111111111111111111111"
WORKSPACE = "WS0123456789abcdef0123456789abcdef"
WORKER = "WK0123456789abcdef0123456789abcdef"
QUEUE = "WQ0123456789abcdef0123456789abcdef"
APP = "AP89abcdef0123456789abcdef01234567"
CREDENTIAL = "CR0123456789abcdef0123456789abcdef"
SERVICE = "IS0123456789abcdef0123456789abcdef"
SYNC_SERVICE = "ISfedcba9876543210fedcba9876543210"
ROLE = "RL0123456789abcdef0123456789abcdef"
# The account's API keys, in config order: a retired (verify-only) key
# first, so the server's default is KEY, the first that may sign.
RETIRED_KEY = "SK00000000000000000000000000000000"
KEY = "SK0123456789abcdef0123456789abcdef"
OTHER_KEY = "SKfedcba9876543210fedcba9876543210"
UNKNOWN_KEY = "SK11111111111111111111111111111111"

AUTH_ENV = "PY_E2E_TOKENS_AUTH_TOKEN"
KEY_ENVS = {RETIRED_KEY: "PY_E2E_RETIRED_KEY_SECRET", KEY: "PY_E2E_KEY_SECRET",
            OTHER_KEY: "PY_E2E_OTHER_KEY_SECRET"}
# The flag of `captoken sign access` that names the API key secret's variable.
API_KEY_SECRET_FLAG = "--api-key-secret-env"
UTC = dt.timezone.utc
SERVICE_PREFIX = "/captoken.v1.TokenService/"

TR = "https://taskrouter.twilio.com/v1/Workspaces/" + WORKSPACE
Sets = captoken.TaskRouterPolicySet

# TaskRouter requests (all but the profile and lifetime): each channel kind,
# the standard policy sets that apply to it, explicit policies with filters
# in an unsorted order, a friendly name that needs escaping.
TASKROUTER_CASES = {
    "worker_python_sets": dict(
        channel_id=WORKER,
        policy_sets=[Sets.PYTHON_DEFAULTS, Sets.UPDATE_ACTIVITIES,
                     Sets.UPDATE_RESERVATIONS]),
    "worker_node_sets": dict(
        channel_id=WORKER, policy_sets=[Sets.EVENT_BRIDGE, Sets.NODE_WORKER_DEFAULTS],
        friendly_name="Alice Agent"),
    "worker_explicit_policies": dict(
        channel_id=WORKER, policy_sets=[Sets.EVENT_BRIDGE],
        policies=[
            captoken.taskrouter_policy(
                TR + "/Tasks/**", "POST",
                query_filter=[("Zeta", True), ("Alpha", '{"required":false}')],
                post_filter=[("ActivitySid", True)]),
            captoken.taskrouter_policy(TR + "/Activities"),
            captoken.taskrouter_policy(TR + "/Workers/" + WORKER, "DELETE"),
        ],
        friendly_name="Zoë \"&\" Co ✓", version="v1"),
    "taskqueue": dict(
        channel_id=QUEUE,
        policy_sets=[Sets.PYTHON_DEFAULTS, Sets.FETCH_SUBRESOURCES, Sets.UPDATE_SELF]),
    "taskqueue_bare": dict(channel_id=QUEUE),
    "workspace": dict(
        channel_id=WORKSPACE,
        policy_sets=[Sets.EVENT_BRIDGE, Sets.UPDATE_SUBRESOURCES,
                     Sets.DELETE_SUBRESOURCES, Sets.DELETE_SELF],
        friendly_name="Main"),
    "workspace_python_defaults": dict(channel_id=WORKSPACE,
                                      policy_sets=[Sets.PYTHON_DEFAULTS]),
}
# Policies as VerifyToken gives them back (explicit methods, boolean
# filters), for comparing claims with the request.
VERIFY_CASE = dict(
    channel_id=WORKER, policy_sets=[Sets.EVENT_BRIDGE],
    policies=[
        captoken.taskrouter_policy(TR + "/Tasks/**", "POST",
                                   query_filter=[("Zeta", True), ("Alpha", False)],
                                   post_filter=[("ActivitySid", True)]),
        captoken.taskrouter_policy(TR + "/Activities", "GET"),
        captoken.taskrouter_policy(TR + "/Workers/" + WORKER, "DELETE"),
    ],
    friendly_name="Zoë \"&\" Co ✓", version="v1")
# A deny policy: the python profile (and the server default) only.
DENY_CASE = dict(
    channel_id=WORKER, policy_sets=[Sets.PYTHON_DEFAULTS],
    policies=[captoken.taskrouter_policy(TR + "/Tasks/**", "DELETE", deny=True)])

PLAYBACK = ('{"requestCredentials":null,"playbackUrl":"https://example.com/p.m3u8",'
            '"playerStreamerSid":"VJ0123456789abcdef0123456789abcdef"}')
VOICE = captoken.voice_grant(
    incoming_allow=True, outgoing_application_sid=APP,
    outgoing_application_params={"To": "+1 555 123 4567", "n": 42, "Zoë": "a&b"},
    push_credential_sid=CREDENTIAL, endpoint_id="alice-web")
CHAT = captoken.chat_grant(service_sid=SERVICE, endpoint_id="alice:web",
                           deployment_role_sid=ROLE, push_credential_sid=CREDENTIAL)
SYNC = captoken.sync_grant(service_sid=SYNC_SERVICE, endpoint_id="sync-1")
TASKROUTER_GRANT = captoken.taskrouter_grant(workspace_sid=WORKSPACE,
                                             worker_sid=WORKER, role="worker")

# Access Token requests (all but the profile and lifetime).
ACCESS_CASES = {
    "identity_only": dict(identity="alice", api_key_sid=KEY),
    "voice": dict(identity="alice", grants=[VOICE], api_key_sid=KEY),
    "voice_outgoing_without_params": dict(
        identity="alice",
        grants=[captoken.voice_grant(outgoing_application_sid=APP)], api_key_sid=KEY),
    "chat_video_sync": dict(
        identity="bob_smith", grants=[CHAT, captoken.video_grant("standup"), SYNC],
        api_key_sid=OTHER_KEY),
    "every_grant": dict(
        identity="agent 7", api_key_sid=KEY,
        grants=[VOICE, CHAT, captoken.video_grant(), SYNC, TASKROUTER_GRANT,
                captoken.playback_grant(PLAYBACK)]),
    "repeated_kind_and_region": dict(
        identity="zoë 😀", api_key_sid=KEY, region="ie1",
        grants=[captoken.video_grant("first"), CHAT, captoken.video_grant("second")]),
}

PROFILES = [None, captoken.Profile.TWILIO_PYTHON, captoken.Profile.TWILIO_NODE]

server = None
auth_token = None
key_secrets = {}


def setUpModule():
    global server, auth_token
    auth_token = secrets.token_urlsafe(24)
    for sid in KEY_ENVS:
        key_secrets[sid] = secrets.token_urlsafe(24)
    keys = "".join(
        f' api_keys {{ sid: "{sid}" secret {{ env: "{env}" }}'
        f'{" verify_only: true" if sid == RETIRED_KEY else ""} }}'
        for sid, env in KEY_ENVS.items())
    server = ServerProcess(
        f'accounts {{ account_sid: "{ACCOUNT}" auth_token {{ env: "{AUTH_ENV}" }}{keys} }}\n',
        env={AUTH_ENV: auth_token,
             **{KEY_ENVS[sid]: secret for sid, secret in key_secrets.items()}})


def tearDownModule():
    if server is None:
        return
    status = server.terminate()
    if status != 0:
        raise AssertionError(
            f"the server exited {status} after SIGTERM; it printed:\n{server.output()}")


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


def sign_locally(request, issue_time):
    """`captoken sign taskrouter|access|capability` of the exact request, at
    the response's issue second."""
    request_json = json_format.MessageToJson(request, indent=None)
    issued_at = unix_seconds(issue_time)
    if isinstance(request, taskrouter_pb2.TaskRouterRequest):
        return cli_sign(request_json, AUTH_ENV, issued_at, {AUTH_ENV: auth_token},
                        kind="taskrouter")
    if isinstance(request, access_token_pb2.AccessTokenRequest):
        sid = request.api_key_sid or KEY
        return cli_sign(request_json, KEY_ENVS[sid], issued_at,
                        {KEY_ENVS[sid]: key_secrets[sid]}, kind="access",
                        secret_flag=API_KEY_SECRET_FLAG)
    return cli_sign(request_json, AUTH_ENV, issued_at, {AUTH_ENV: auth_token})


def lifetimes(expire_at):
    return {
        "default": {},
        "ttl_600": {"ttl": 600},
        "ttl_24h": {"ttl": dt.timedelta(hours=24)},
        "expire_time": {"expire_time": expire_at},
    }


def want_expiry(minted, lifetime):
    if "ttl" in lifetime:
        ttl = lifetime["ttl"]
        return minted.issue_time + (ttl if isinstance(ttl, dt.timedelta)
                                    else dt.timedelta(seconds=ttl))
    if "expire_time" in lifetime:
        return lifetime["expire_time"]
    return minted.issue_time + dt.timedelta(hours=1)


class E2ETestCase(unittest.TestCase):

    def setUp(self):
        self.capture = CapturingInterceptor()
        self.client = captoken.TokenClient.from_channel(
            grpc.intercept_channel(grpc.insecure_channel(server.target), self.capture),
            deadline=7.5)
        self.addCleanup(self.client.close)

    def sent(self, method):
        """The last request sent, checking it went to ``method`` with the
        client's deadline."""
        name, timeout, request = self.capture.calls[-1]
        self.assertEqual(name, SERVICE_PREFIX + method)
        self.assertEqual(timeout, 7.5)
        return request

    def check_minted(self, minted, profile, expiry, before, after):
        self.assertTrue(before <= minted.issue_time <= after,
                        (before, minted.issue_time, after))
        self.assertEqual(minted.expire_time, expiry)
        self.assertEqual(minted.profile, profile or captoken.Profile.TWILIO_PYTHON)
        self.assertEqual(minted.token_fingerprint,
                         hashlib.sha256(minted.token.encode()).hexdigest()[:16])
        self.assertNotIn(minted.token, repr(minted))

    def assertError(self, code, call, *args, **kwargs):
        with self.assertRaises(captoken.TokenServiceError) as caught:
            call(*args, **kwargs)
        error = caught.exception
        self.assertIs(error.code, code, str(error))
        self.assertTrue(error.details)
        for secret in [auth_token, *key_secrets.values()]:
            self.assertNotIn(secret, error.details)
        return error


class TaskRouterTest(E2ETestCase):

    def test_tokens_match_local_signing(self):
        expire_at = dt.datetime.now(UTC).replace(microsecond=0) + dt.timedelta(minutes=15)
        cases = [(name, case, profile)
                 for (name, case), profile in itertools.product(TASKROUTER_CASES.items(),
                                                                PROFILES)]
        cases += [("worker_deny", DENY_CASE, p) for p in PROFILES[:2]]
        checked = 0
        for (name, case, profile), (life_name, lifetime) in itertools.product(
                cases, lifetimes(expire_at).items()):
            with self.subTest(case=name, profile=profile, lifetime=life_name):
                before = dt.datetime.now(UTC).replace(microsecond=0)
                minted = self.client.mint_taskrouter_token(
                    ACCOUNT, WORKSPACE, profile=profile, **case, **lifetime)
                after = dt.datetime.now(UTC)
                sent = self.sent("MintTaskRouterToken")
                self.assertEqual(sent, captoken.build_taskrouter_request(
                    ACCOUNT, WORKSPACE, profile=profile, **case, **lifetime))
                self.check_minted(minted, profile, want_expiry(minted, lifetime),
                                  before, after)
                self.assertEqual(minted.token, sign_locally(sent, minted.issue_time))

                claims = jwt_part(minted.token, 1)
                self.assertEqual(claims["iss"], ACCOUNT)
                self.assertEqual(claims["account_sid"], ACCOUNT)
                self.assertEqual(claims["workspace_sid"], WORKSPACE)
                self.assertEqual(claims["exp"], unix_seconds(minted.expire_time))
                channel = case["channel_id"]
                self.assertEqual(claims["channel"], channel)
                if channel.startswith("WK"):
                    self.assertEqual(claims["worker_sid"], channel)
                elif channel.startswith("WQ"):
                    self.assertEqual(claims["taskqueue_sid"], channel)
                # Explicit policies come after the standard sets, in order.
                explicit = case.get("policies", [])
                if explicit:
                    tail = claims["policies"][-len(explicit):]
                    self.assertEqual([p["url"] for p in tail], [p.url for p in explicit])
                    self.assertEqual([p["allow"] for p in tail],
                                     [not p.deny for p in explicit])
                if name == "worker_explicit_policies":
                    self.assertEqual(list(claims["policies"][-3]["query_filter"]),
                                     ["Zeta", "Alpha"])
                checked += 1
        self.assertEqual(checked, (len(TASKROUTER_CASES) * 3 + 2) * 4)

    def test_verify_gives_kind_and_claims(self):
        for profile in PROFILES[1:]:
            with self.subTest(profile=profile):
                case = VERIFY_CASE
                minted = self.client.mint_taskrouter_token(
                    ACCOUNT, WORKSPACE, profile=profile, ttl=300, **case)
                for account in (None, ACCOUNT):
                    result = self.client.verify_token(minted.token, account_sid=account)
                    self.assertEqual(self.sent("VerifyToken").token, minted.token)
                    self.assertTrue(result.valid, result)
                    self.assertEqual(result.kind, captoken.TokenKind.TASKROUTER)
                    self.assertEqual(result.account_sid, ACCOUNT)
                    self.assertEqual(result.expire_time, minted.expire_time)
                    self.assertIsNone(result.access)
                    self.assertEqual(result.scopes, ())
                    claims = result.taskrouter
                    self.assertIsNotNone(claims)
                    self.assertEqual(claims.workspace_sid, WORKSPACE)
                    self.assertEqual(claims.channel_id, WORKER)
                    self.assertEqual(claims.version, "v1")
                    self.assertEqual(claims.friendly_name, case["friendly_name"])
                    # The event bridge's GET and POST, then the explicit ones.
                    self.assertEqual(len(claims.policies), 2 + len(case["policies"]))
                    self.assertEqual(list(claims.policies)[2:], case["policies"])

    def test_invalid_argument_names_the_field(self):
        cases = {
            "workspace_sid": dict(workspace_sid="WS123", channel_id=WORKER),
            "channel_id": dict(workspace_sid=WORKSPACE,
                               channel_id="CA0123456789abcdef0123456789abcdef"),
            "account_sid": dict(account_sid="AC123"),
            "ttl": dict(ttl=0),
            "policies[0].url": dict(policies=[captoken.taskrouter_policy("http://x/y")]),
            "policies[1].method": dict(policies=[
                captoken.taskrouter_policy(TR + "/Tasks"),
                captoken.taskrouter_policy(TR + "/Tasks", "PATCH")]),
        }
        for field, case in cases.items():
            with self.subTest(field=field):
                args = dict(account_sid=ACCOUNT, workspace_sid=WORKSPACE,
                            channel_id=WORKER)
                args.update(case)
                error = self.assertError(
                    grpc.StatusCode.INVALID_ARGUMENT, self.client.mint_taskrouter_token,
                    args.pop("account_sid"), args.pop("workspace_sid"),
                    args.pop("channel_id"), **args)
                self.assertIn(field, error.details)

    def test_node_profile_refuses_a_deny_policy(self):
        error = self.assertError(
            grpc.StatusCode.INVALID_ARGUMENT, self.client.mint_taskrouter_token,
            ACCOUNT, WORKSPACE, WORKER, profile=captoken.Profile.TWILIO_NODE,
            policies=[captoken.taskrouter_policy(TR + "/Tasks/**", deny=True)])
        self.assertIn("policies[0]", error.details)

    def test_unknown_account_is_permission_denied(self):
        self.assertError(grpc.StatusCode.PERMISSION_DENIED,
                         self.client.mint_taskrouter_token, UNKNOWN, WORKSPACE, WORKER)


class AccessTokenTest(E2ETestCase):

    def test_tokens_match_local_signing(self):
        now = dt.datetime.now(UTC).replace(microsecond=0)
        expire_at = now + dt.timedelta(minutes=15)
        cases = dict(ACCESS_CASES)
        # nbf: whole seconds, before the expiry.
        cases["not_before"] = dict(identity="carol", api_key_sid=KEY,
                                   grants=[TASKROUTER_GRANT],
                                   not_before=now - dt.timedelta(minutes=1))
        checked = 0
        for (name, case), profile, (life_name, lifetime) in itertools.product(
                cases.items(), PROFILES, lifetimes(expire_at).items()):
            with self.subTest(case=name, profile=profile, lifetime=life_name):
                before = dt.datetime.now(UTC).replace(microsecond=0)
                minted = self.client.mint_access_token(ACCOUNT, profile=profile,
                                                       **case, **lifetime)
                after = dt.datetime.now(UTC)
                sent = self.sent("MintAccessToken")
                self.assertEqual(sent, captoken.build_access_token_request(
                    ACCOUNT, profile=profile, **case, **lifetime))
                self.check_minted(minted, profile, want_expiry(minted, lifetime),
                                  before, after)
                self.assertEqual(minted.token, sign_locally(sent, minted.issue_time))

                header = jwt_part(minted.token, 0)
                claims = jwt_part(minted.token, 1)
                self.assertEqual(header["cty"], "twilio-fpa;v=1")
                self.assertEqual(header.get("twr"), case.get("region"))
                self.assertEqual(claims["iss"], case["api_key_sid"])
                self.assertEqual(claims["sub"], ACCOUNT)
                self.assertTrue(claims["jti"].startswith(case["api_key_sid"] + "-"))
                self.assertEqual(claims["exp"], unix_seconds(minted.expire_time))
                self.assertEqual(claims["grants"]["identity"], case["identity"])
                if "not_before" in case:
                    self.assertEqual(claims["nbf"], unix_seconds(case["not_before"]))
                else:
                    self.assertNotIn("nbf", claims)
                if name == "repeated_kind_and_region":
                    # A later grant of a kind replaces the earlier in its place.
                    self.assertEqual(claims["grants"]["video"], {"room": "second"})
                    self.assertEqual([k for k in claims["grants"] if k != "identity"],
                                     ["video", "chat"])
                checked += 1
        self.assertEqual(checked, len(cases) * 3 * 4)

    def test_default_api_key_is_the_first_that_may_sign(self):
        minted = self.client.mint_access_token(ACCOUNT, "alice",
                                               [captoken.video_grant()])
        self.assertEqual(self.sent("MintAccessToken").api_key_sid, "")
        self.assertEqual(jwt_part(minted.token, 1)["iss"], KEY)
        result = self.client.verify_token(minted.token)
        self.assertTrue(result.valid)
        self.assertEqual(result.access.api_key_sid, KEY)

    def test_verify_gives_kind_and_claims(self):
        nbf = dt.datetime.now(UTC).replace(microsecond=0) - dt.timedelta(seconds=30)
        grants = [VOICE, CHAT, captoken.video_grant("standup"), SYNC, TASKROUTER_GRANT]
        for profile in PROFILES[1:]:
            with self.subTest(profile=profile):
                minted = self.client.mint_access_token(
                    ACCOUNT, "alice", grants, api_key_sid=OTHER_KEY, ttl=300,
                    region="au1", not_before=nbf, profile=profile)
                for account in (None, ACCOUNT):
                    result = self.client.verify_token(minted.token, account_sid=account)
                    self.assertTrue(result.valid, result)
                    self.assertEqual(result.failure, captoken.VerificationFailure.NONE)
                    self.assertEqual(result.kind, captoken.TokenKind.ACCESS)
                    self.assertEqual(result.account_sid, ACCOUNT)
                    self.assertEqual(result.expire_time, minted.expire_time)
                    self.assertIsNone(result.taskrouter)
                    claims = result.access
                    self.assertIsNotNone(claims)
                    self.assertEqual(claims.api_key_sid, OTHER_KEY)
                    self.assertEqual(claims.identity, "alice")
                    self.assertEqual(claims.token_id, jwt_part(minted.token, 1)["jti"])
                    self.assertEqual(claims.region, "au1")
                    self.assertEqual(claims.not_before.seconds, unix_seconds(nbf))
                    self.assertEqual([g.WhichOneof("grant") for g in claims.grants],
                                     ["voice", "chat", "video", "sync", "task_router"])
                    self.assertEqual(list(claims.grants)[1:], grants[1:])
                    voice = claims.grants[0].voice
                    self.assertTrue(voice.incoming_allow)
                    self.assertEqual(voice.outgoing_application_sid, APP)
                    self.assertEqual(json.loads(voice.outgoing_application_params_json),
                                     json.loads(VOICE.voice.outgoing_application_params_json))

    def test_verify_tells_the_kinds_apart(self):
        capability = self.client.mint_capability_token(
            ACCOUNT, [captoken.client_incoming("alice")])
        taskrouter = self.client.mint_taskrouter_token(ACCOUNT, WORKSPACE, QUEUE)
        access = self.client.mint_access_token(ACCOUNT, "alice", api_key_sid=KEY)
        kinds = [self.client.verify_token(t.token).kind
                 for t in (capability, taskrouter, access)]
        self.assertEqual(kinds, [captoken.TokenKind.CAPABILITY, captoken.TokenKind.TASKROUTER,
                                 captoken.TokenKind.ACCESS])
        # A tampered Access Token: not valid, and no claims.
        header, payload, signature = access.token.split(".")
        flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
        result = self.client.verify_token(f"{header}.{payload}.{flipped}")
        self.assertFalse(result.valid)
        self.assertEqual(result.failure, captoken.VerificationFailure.BAD_SIGNATURE)
        self.assertIsNone(result.access)

    def test_invalid_argument_names_the_field(self):
        cases = {
            "identity": dict(identity=""),
            "account_sid": dict(account_sid="AC123"),
            "api_key_sid": dict(api_key_sid="SK123"),
            "grants[1].voice.outgoing_application_sid": dict(grants=[
                captoken.video_grant(), captoken.voice_grant(outgoing_application_sid="AP1")]),
            "grants[0].chat.service_sid": dict(grants=[captoken.chat_grant(service_sid="IS1")]),
            "grants[0].voice.outgoing_application_params": dict(grants=[captoken.voice_grant(
                outgoing_application_sid=APP, outgoing_application_params='{"n":1.5}')]),
            "region": dict(region="eu west"),
            "ttl": dict(ttl=dt.timedelta(hours=24, seconds=1)),
        }
        for field, case in cases.items():
            with self.subTest(field=field):
                args = dict(account_sid=ACCOUNT, identity="alice", api_key_sid=KEY)
                args.update(case)
                error = self.assertError(
                    grpc.StatusCode.INVALID_ARGUMENT, self.client.mint_access_token,
                    args.pop("account_sid"), args.pop("identity"), **args)
                self.assertIn(field, error.details)

    def test_unknown_account_or_key_is_permission_denied(self):
        for account, key in ((UNKNOWN, None), (ACCOUNT, UNKNOWN_KEY),
                             (ACCOUNT, RETIRED_KEY)):
            with self.subTest(account=account, key=key):
                self.assertError(grpc.StatusCode.PERMISSION_DENIED,
                                 self.client.mint_access_token, account, "alice",
                                 api_key_sid=key)


class BatchMintTest(E2ETestCase):

    def test_mixed_batch_keeps_order_and_item_codes(self):
        requests = [
            captoken.build_capability_request(
                ACCOUNT, [captoken.client_incoming("alice")],
                profile=captoken.Profile.TWILIO_NODE),
            captoken.build_taskrouter_request(
                ACCOUNT, WORKSPACE, WORKER, policy_sets=[Sets.PYTHON_DEFAULTS], ttl=600),
            captoken.build_access_token_request(ACCOUNT, "", api_key_sid=KEY),
            captoken.build_access_token_request(
                ACCOUNT, "alice", [VOICE, captoken.video_grant("standup")],
                api_key_sid=KEY, profile=captoken.Profile.TWILIO_NODE),
            captoken.build_taskrouter_request(ACCOUNT, WORKSPACE, "WK123"),
            token_service_pb2.MintRequest(capability=captoken.build_capability_request(
                "AC123", [])),
            captoken.build_access_token_request(UNKNOWN, "alice"),
            captoken.build_taskrouter_request(
                ACCOUNT, WORKSPACE, QUEUE, profile=captoken.Profile.TWILIO_NODE,
                policy_sets=[Sets.EVENT_BRIDGE], friendly_name="Queue"),
        ]
        want = [
            (grpc.StatusCode.OK, None),
            (grpc.StatusCode.OK, None),
            (grpc.StatusCode.INVALID_ARGUMENT, "identity"),
            (grpc.StatusCode.OK, None),
            (grpc.StatusCode.INVALID_ARGUMENT, "channel_id"),
            (grpc.StatusCode.INVALID_ARGUMENT, "account_sid"),
            (grpc.StatusCode.PERMISSION_DENIED, None),
            (grpc.StatusCode.OK, None),
        ]
        before = dt.datetime.now(UTC).replace(microsecond=0)
        results = self.client.batch_mint(requests)
        after = dt.datetime.now(UTC)

        sent = self.sent("BatchMint")
        self.assertEqual([r.WhichOneof("request") for r in sent.requests],
                         ["capability", "taskrouter", "access", "access", "taskrouter",
                          "capability", "access", "taskrouter"])
        self.assertEqual(len(results), len(requests))
        for i, (request, result, (code, field)) in enumerate(zip(requests, results, want)):
            with self.subTest(item=i):
                self.assertIsInstance(result, captoken.MintResult)
                self.assertIs(result.code, code, result.message)
                if code is grpc.StatusCode.OK:
                    self.assertTrue(result.ok)
                    self.assertEqual(result.message, "")
                    minted = result.unwrap()
                    self.assertTrue(before <= minted.issue_time <= after)
                    if isinstance(request, token_service_pb2.MintRequest):
                        request = getattr(request, request.WhichOneof("request"))
                    self.assertEqual(minted.token,
                                     sign_locally(request, minted.issue_time))
                    self.assertEqual(minted.profile,
                                     request.profile or captoken.Profile.TWILIO_PYTHON)
                    self.assertTrue(self.client.verify_token(minted.token).valid)
                else:
                    self.assertFalse(result.ok)
                    self.assertIsNone(result.token)
                    self.assertTrue(result.message)
                    if field:
                        self.assertIn(field, result.message)
                    self.assertIs(result.error.code, code)
                    with self.assertRaises(captoken.TokenServiceError):
                        result.unwrap()

    def test_item_errors_match_the_single_calls(self):
        bad = captoken.build_taskrouter_request(ACCOUNT, "WS1", WORKER)
        with self.assertRaises(captoken.TokenServiceError) as caught:
            self.client.mint(bad)
        [result] = self.client.batch_mint([bad])
        self.assertIs(result.code, caught.exception.code)
        self.assertEqual(result.message, caught.exception.details)

    def test_empty_and_oversized_batches_fail_the_whole_call(self):
        self.assertError(grpc.StatusCode.INVALID_ARGUMENT, self.client.batch_mint, [])
        request = captoken.build_capability_request(ACCOUNT, [])
        self.assertError(grpc.StatusCode.INVALID_ARGUMENT, self.client.batch_mint,
                         [request] * 101)
        self.assertEqual(len(self.client.batch_mint([request] * 100)), 100)


class DeadlineTest(unittest.TestCase):

    def test_new_calls_carry_the_deadline(self):
        silent = SilentServer()
        self.addCleanup(silent.close)
        with captoken.TokenClient(silent.target, deadline=0.3) as client:
            calls = {
                "taskrouter": lambda: client.mint_taskrouter_token(ACCOUNT, WORKSPACE, WORKER),
                "access": lambda: client.mint_access_token(ACCOUNT, "alice"),
                "batch": lambda: client.batch_mint(
                    [captoken.build_access_token_request(ACCOUNT, "alice")]),
            }
            for name, call in calls.items():
                with self.subTest(call=name):
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
                    self.assertFalse(thread.is_alive(), "the call did not return within 10 s")
                    error = outcome.get("error")
                    self.assertIsInstance(error, captoken.TokenServiceError, repr(error))
                    self.assertIs(error.code, grpc.StatusCode.DEADLINE_EXCEEDED)
                    self.assertLess(outcome["elapsed"], 5.0)
        self.assertGreaterEqual(silent.accepted, 1)


if __name__ == "__main__":
    unittest.main()
