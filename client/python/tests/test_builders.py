"""Unit tests for the request builders (no server needed)."""

import collections
import datetime as dt
import unittest

import grpc

import captoken
from captoken.v1 import capability_pb2

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
        with self.assertRaises(ValueError):
            captoken.build_capability_request("AC1", [], profile="twilio-ruby")
        with self.assertRaises(ValueError):
            captoken.build_capability_request("AC1", [], profile=7)

    def test_bad_scopes(self):
        with self.assertRaises(TypeError):
            captoken.build_capability_request("AC1", captoken.client_incoming("a"))
        with self.assertRaises(TypeError):
            captoken.build_capability_request("AC1", ["alice"])


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
