"""Unit tests for the request builders (no server needed)."""

import collections
import datetime as dt
import unittest

import grpc

import captoken
from captoken.v1 import access_token_pb2, capability_pb2, taskrouter_pb2, token_service_pb2

APP = "AP89abcdef0123456789abcdef01234567"
UTC = dt.timezone.utc


def pairs(params):
    return [(p.key, p.value) for p in params]


class ScopeHelpersTest(unittest.TestCase):

    def test_client_incoming(self):
        scope = captoken.client_incoming("alice")
        self.assertEqual(scope.WhichOneof("scope"), "client_incoming")
        self.assertEqual(scope.client_incoming.client_name, "alice")

    def test_client_outgoing_keeps_list_order(self):
        given = [("To", "+1555"), ("B", "2"), ("A", "1"), ("To2", "")]
        scope = captoken.client_outgoing(APP, params=given, client_name="bob")
        self.assertEqual(scope.WhichOneof("scope"), "client_outgoing")
        self.assertEqual(scope.client_outgoing.application_sid, APP)
        self.assertEqual(scope.client_outgoing.client_name, "bob")
        self.assertEqual(pairs(scope.client_outgoing.params), given)

    def test_client_outgoing_keeps_mapping_order(self):
        given = {"Zeta": "z", "Alpha": "a", "Mid dle": "m&=+"}
        scope = captoken.client_outgoing(APP, params=given)
        self.assertEqual(pairs(scope.client_outgoing.params), list(given.items()))
        ordered = collections.OrderedDict([("b", "1"), ("a", "2")])
        scope = captoken.client_outgoing(APP, params=ordered)
        self.assertEqual(pairs(scope.client_outgoing.params), [("b", "1"), ("a", "2")])

    def test_client_outgoing_defaults(self):
        scope = captoken.client_outgoing(APP)
        self.assertEqual(list(scope.client_outgoing.params), [])
        self.assertEqual(scope.client_outgoing.client_name, "")

    def test_event_stream(self):
        scope = captoken.event_stream(filters=[("b", "1"), ("a", "2")])
        self.assertEqual(scope.WhichOneof("scope"), "event_stream")
        self.assertEqual(pairs(scope.event_stream.filters), [("b", "1"), ("a", "2")])
        self.assertEqual(list(captoken.event_stream().event_stream.filters), [])

    def test_bad_params(self):
        with self.assertRaises(TypeError):
            captoken.client_outgoing(APP, params="To=1")
        with self.assertRaises(TypeError):
            captoken.client_outgoing(APP, params=[("To", "1", "x")])
        with self.assertRaises(TypeError):
            captoken.event_stream(filters=[("n", 1)])


class BuildRequestTest(unittest.TestCase):

    def test_everything(self):
        scopes = [captoken.client_incoming("a"), captoken.event_stream()]
        request = captoken.build_capability_request(
            "AC1", scopes, ttl=dt.timedelta(minutes=10),
            profile=captoken.Profile.TWILIO_NODE)
        self.assertIsInstance(request, capability_pb2.CapabilityRequest)
        self.assertEqual(request.account_sid, "AC1")
        self.assertEqual(list(request.scopes), scopes)
        self.assertEqual(request.ttl.seconds, 600)
        self.assertFalse(request.HasField("expire_time"))
        self.assertEqual(request.profile, capability_pb2.PROFILE_TWILIO_NODE)

    def test_defaults_leave_fields_unset(self):
        request = captoken.build_capability_request("AC1", [])
        self.assertFalse(request.HasField("ttl"))
        self.assertFalse(request.HasField("expire_time"))
        self.assertEqual(request.profile, capability_pb2.PROFILE_UNSPECIFIED)

    def test_ttl_forms(self):
        self.assertEqual(captoken.build_capability_request("AC1", [], ttl=90).ttl.seconds, 90)
        zero = captoken.build_capability_request("AC1", [], ttl=0)
        self.assertTrue(zero.HasField("ttl"))  # sent, for the server to refuse
        half = captoken.build_capability_request("AC1", [], ttl=1.5)
        self.assertEqual((half.ttl.seconds, half.ttl.nanos), (1, 500_000_000))
        with self.assertRaises(TypeError):
            captoken.build_capability_request("AC1", [], ttl="600s")
        with self.assertRaises(TypeError):
            captoken.build_capability_request("AC1", [], ttl=True)

    def test_expire_time(self):
        when = dt.datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
        request = captoken.build_capability_request("AC1", [], expire_time=when)
        self.assertEqual(request.expire_time.seconds, int(when.replace(microsecond=0).timestamp()))
        self.assertEqual(request.expire_time.nanos, 678901000)
        plus2 = dt.timezone(dt.timedelta(hours=2))
        same = captoken.build_capability_request(
            "AC1", [], expire_time=when.astimezone(plus2))
        self.assertEqual(same.expire_time, request.expire_time)
        with self.assertRaises(ValueError):
            captoken.build_capability_request(
                "AC1", [], expire_time=dt.datetime(2030, 1, 1))

    def test_profile_forms(self):
        for given in (captoken.Profile.TWILIO_NODE, 2, "PROFILE_TWILIO_NODE",
                      "twilio-node", "TWILIO_NODE"):
            self.assertEqual(
                captoken.build_capability_request("AC1", [], profile=given).profile,
                capability_pb2.PROFILE_TWILIO_NODE, given)
        for given in (captoken.Profile.TWILIO_PYTHON_6, 3, "PROFILE_TWILIO_PYTHON_6",
                      "twilio-python-6", "TWILIO_PYTHON_6"):
            self.assertEqual(
                captoken.build_capability_request("AC1", [], profile=given).profile,
                capability_pb2.PROFILE_TWILIO_PYTHON_6, given)
        for given in (captoken.Profile.TWILIO_PYTHON_7, 4, "PROFILE_TWILIO_PYTHON_7",
                      "twilio-python-7", "TWILIO_PYTHON_7"):
            self.assertEqual(
                captoken.build_capability_request("AC1", [], profile=given).profile,
                capability_pb2.PROFILE_TWILIO_PYTHON_7, given)
        with self.assertRaises(ValueError):
            captoken.build_capability_request("AC1", [], profile="twilio-ruby")
        with self.assertRaises(ValueError):
            captoken.build_capability_request("AC1", [], profile=7)

    def test_omit_not_before(self):
        self.assertFalse(captoken.build_capability_request("AC1", []).omit_not_before)
        self.assertTrue(captoken.build_capability_request(
            "AC1", [], profile="twilio-python-6", omit_not_before=True).omit_not_before)
        with self.assertRaises(TypeError):
            captoken.build_capability_request("AC1", [], omit_not_before="yes")

    def test_bad_scopes(self):
        with self.assertRaises(TypeError):
            captoken.build_capability_request("AC1", captoken.client_incoming("a"))
        with self.assertRaises(TypeError):
            captoken.build_capability_request("AC1", ["alice"])


class TaskRouterBuildersTest(unittest.TestCase):

    def test_policy_with_filters_in_order(self):
        policy = captoken.taskrouter_policy(
            "https://taskrouter.twilio.com/v1/Workspaces/WS1/Tasks/**", "POST",
            query_filter={"Zeta": True, "Alpha": '{"required":false}'},
            post_filter=[("ActivitySid", True), ("Other", False)], deny=True)
        self.assertIsInstance(policy, taskrouter_pb2.TaskRouterPolicy)
        self.assertEqual(policy.method, "POST")
        self.assertTrue(policy.deny)
        self.assertEqual([(f.name, f.WhichOneof("constraint")) for f in policy.query_filter],
                         [("Zeta", "required"), ("Alpha", "constraint_json")])
        self.assertEqual(policy.query_filter[1].constraint_json, '{"required":false}')
        # False is sent as a set oneof, not dropped.
        self.assertEqual(policy.post_filter[1].WhichOneof("constraint"), "required")
        self.assertFalse(policy.post_filter[1].required)

    def test_policy_defaults_and_types(self):
        policy = captoken.taskrouter_policy("https://x/y")
        self.assertEqual(policy.method, "")  # the server's default, GET
        self.assertFalse(policy.deny)
        self.assertEqual(list(policy.query_filter), [])
        with self.assertRaises(TypeError):
            captoken.taskrouter_policy("https://x", query_filter=[("a", 1)])
        with self.assertRaises(TypeError):
            captoken.taskrouter_policy("https://x", post_filter="a")

    def test_request(self):
        policy = captoken.taskrouter_policy("https://x/**", "DELETE")
        request = captoken.build_taskrouter_request(
            "AC1", "WS1", "WK1",
            policy_sets=[captoken.TaskRouterPolicySet.PYTHON_DEFAULTS, "update_activities",
                         "TASK_ROUTER_POLICY_SET_EVENT_BRIDGE", 6],
            policies=[policy], friendly_name="Alice", version="v1", ttl=90,
            profile="twilio-node")
        self.assertIsInstance(request, taskrouter_pb2.TaskRouterRequest)
        self.assertEqual((request.account_sid, request.workspace_sid, request.channel_id),
                         ("AC1", "WS1", "WK1"))
        self.assertEqual(list(request.policy_sets), [3, 4, 1, 6])
        self.assertEqual(list(request.policies), [policy])
        self.assertEqual((request.friendly_name, request.version), ("Alice", "v1"))
        self.assertEqual(request.ttl.seconds, 90)
        self.assertEqual(request.profile, capability_pb2.PROFILE_TWILIO_NODE)
        bare = captoken.build_taskrouter_request("AC1", "WS1", "WQ1")
        self.assertFalse(bare.omit_not_before)
        self.assertTrue(captoken.build_taskrouter_request(
            "AC1", "WS1", "WQ1", omit_not_before=True).omit_not_before)
        self.assertEqual(list(bare.policy_sets), [])
        self.assertFalse(bare.HasField("ttl"))
        self.assertEqual(bare.friendly_name, "")
        with self.assertRaises(ValueError):
            captoken.build_taskrouter_request("AC1", "WS1", "WK1", policy_sets=["nope"])
        with self.assertRaises(TypeError):
            captoken.build_taskrouter_request("AC1", "WS1", "WK1", policies=[("https://x",)])
        with self.assertRaises(TypeError):
            captoken.build_taskrouter_request("AC1", "WS1", None)


class AccessBuildersTest(unittest.TestCase):

    def test_grants(self):
        voice = captoken.voice_grant(incoming_allow=True, outgoing_application_sid=APP,
                                     outgoing_application_params={"b": 1, "a": "é"},
                                     push_credential_sid="CR1", endpoint_id="e")
        self.assertEqual(voice.WhichOneof("grant"), "voice")
        self.assertTrue(voice.voice.incoming_allow)
        self.assertEqual(voice.voice.outgoing_application_params_json, '{"b":1,"a":"é"}')
        verbatim = captoken.voice_grant(outgoing_application_sid=APP,
                                        outgoing_application_params='{ "z": 1 }')
        self.assertEqual(verbatim.voice.outgoing_application_params_json, '{ "z": 1 }')
        self.assertEqual(captoken.chat_grant(service_sid="IS1").chat.service_sid, "IS1")
        self.assertEqual(captoken.video_grant("room 1").video.room, "room 1")
        self.assertEqual(captoken.video_grant().WhichOneof("grant"), "video")
        self.assertEqual(captoken.sync_grant(endpoint_id="x").sync.endpoint_id, "x")
        tr = captoken.taskrouter_grant(workspace_sid="WS1", worker_sid="WK1", role="worker")
        self.assertEqual((tr.task_router.workspace_sid, tr.task_router.role), ("WS1", "worker"))
        self.assertEqual(captoken.playback_grant('{"a":1}').playback.grant_json, '{"a":1}')
        with self.assertRaises(TypeError):
            captoken.chat_grant(service_sid=1)
        with self.assertRaises(TypeError):
            captoken.playback_grant(["a"])

    def test_request(self):
        nbf = dt.datetime(2030, 1, 1, tzinfo=UTC)
        grants = [captoken.voice_grant(incoming_allow=True),
                  access_token_pb2.VideoGrant(room="r")]  # a bare grant is wrapped
        request = captoken.build_access_token_request(
            "AC1", "alice", grants, api_key_sid="SK1", ttl=dt.timedelta(minutes=5),
            not_before=nbf, region="ie1", profile=captoken.Profile.TWILIO_NODE)
        self.assertIsInstance(request, access_token_pb2.AccessTokenRequest)
        self.assertEqual((request.account_sid, request.identity, request.api_key_sid),
                         ("AC1", "alice", "SK1"))
        self.assertEqual([g.WhichOneof("grant") for g in request.grants], ["voice", "video"])
        self.assertEqual(request.grants[1].video.room, "r")
        self.assertEqual(request.ttl.seconds, 300)
        self.assertEqual(request.not_before.seconds, int(nbf.timestamp()))
        self.assertEqual(request.region, "ie1")
        self.assertEqual(request.profile, capability_pb2.PROFILE_TWILIO_NODE)
        bare = captoken.build_access_token_request("AC1", "bob")
        self.assertFalse(bare.omit_not_before)
        self.assertTrue(captoken.build_access_token_request(
            "AC1", "bob", profile="twilio-python-7", omit_not_before=True).omit_not_before)
        self.assertEqual((list(bare.grants), bare.api_key_sid, bare.region), ([], "", ""))
        self.assertFalse(bare.HasField("not_before"))
        with self.assertRaises(ValueError):
            captoken.build_access_token_request("AC1", "a", not_before=dt.datetime(2030, 1, 1))
        with self.assertRaises(TypeError):
            captoken.build_access_token_request("AC1", "a", captoken.video_grant())
        with self.assertRaises(TypeError):
            captoken.build_access_token_request("AC1", "a", ["voice"])


class BatchResultTest(unittest.TestCase):

    def test_result_from_proto(self):
        ok = captoken.MintResult._from_proto(token_service_pb2.MintResult(
            code=0, token=capability_pb2.TokenResponse(token="t", token_fingerprint="f")))
        self.assertTrue(ok.ok and ok)
        self.assertIs(ok.code, grpc.StatusCode.OK)
        self.assertIsNone(ok.error)
        self.assertEqual(ok.unwrap().token, "t")
        bad = captoken.MintResult._from_proto(token_service_pb2.MintResult(
            code=3, message="identity: required"))
        self.assertFalse(bad.ok or bad)
        self.assertIs(bad.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIsNone(bad.token)
        self.assertEqual(str(bad.error), "INVALID_ARGUMENT: identity: required")
        with self.assertRaises(captoken.TokenServiceError) as caught:
            bad.unwrap()
        self.assertIs(caught.exception.code, grpc.StatusCode.INVALID_ARGUMENT)

    def test_batch_refuses_other_types_before_calling(self):
        with captoken.TokenClient("127.0.0.1:1", deadline=0.5) as client:
            with self.assertRaises(TypeError):
                client.batch_mint([captoken.client_incoming("a")])
            with self.assertRaises(TypeError):
                client.mint(captoken.client_incoming("a"))


class ClientArgumentsTest(unittest.TestCase):

    def test_bad_target_and_deadline(self):
        with self.assertRaises(ValueError):
            captoken.TokenClient("")
        for bad in (0, -1, float("inf"), float("nan")):
            with self.assertRaises(ValueError, msg=bad):
                captoken.TokenClient("127.0.0.1:1", deadline=bad)

    def test_close_is_idempotent_and_final(self):
        with captoken.TokenClient("127.0.0.1:1", deadline=0.5) as client:
            self.assertEqual(client.deadline, 0.5)
        client.close()
        with self.assertRaises(ValueError):
            client.verify_token("x")

    def test_error_type(self):
        error = captoken.TokenServiceError(grpc.StatusCode.INVALID_ARGUMENT, "ttl: bad")
        self.assertIsInstance(error, Exception)
        self.assertIs(error.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(error.details, "ttl: bad")
        self.assertEqual(str(error), "INVALID_ARGUMENT: ttl: bad")


if __name__ == "__main__":
    unittest.main()
