"""The request for each twilio-python reference case (tests/vectors/python).

Capability and TaskRouter cases record the SDK calls they made
(inputs.calls, inputs.class and inputs.kwargs), and are translated from
them here; Access Token cases record only a description, which each
request below follows (as tests/e2e/python_profiles_e2e_test.cc does).
check_oracles.py replays them through the oracles.
"""

import json
import os

ACCOUNT = "AC0123456789abcdef0123456789abcdef"
KEY = "SK00112233445566778899aabbccddeeff"
WORKSPACE = "WS0123456789abcdef0123456789abcdef"
CHANNELS = {"Worker": "WK0123456789abcdef0123456789abcdef",
            "TaskQueue": "WQ0123456789abcdef0123456789abcdef",
            "Workspace": WORKSPACE}
PROFILES = {"py5": "PROFILE_TWILIO_PYTHON", "py6": "PROFILE_TWILIO_PYTHON_6",
            "py9": "PROFILE_TWILIO_PYTHON_7"}

_ACCESS = {
    "at01_voice": {"identity": "alice", "grants": [{"voice": {
        "outgoing_application_sid": "AP89abcdef0123456789abcdef01234567",
        "outgoing_application_params_json": '{"foo":"bar"}',
        "push_credential_sid": "CR0123456789abcdef0123456789abcdef",
        "endpoint_id": "alice-device-1"}}]},
    "at01_voice_full": {"identity": "alice", "grants": [{"voice": {
        "incoming_allow": True,
        "outgoing_application_sid": "AP89abcdef0123456789abcdef01234567",
        "outgoing_application_params_json": '{"foo":"bar"}',
        "push_credential_sid": "CR0123456789abcdef0123456789abcdef",
        "endpoint_id": "alice-device-1"}}]},
    "at09_multiple_grants": {"identity": "multi", "grants": [
        {"video": {"room": "r1"}},
        {"chat": {"service_sid": "IS0123456789abcdef0123456789abcdef"}},
        {"voice": {"incoming_allow": True}}]},
    "at10_unicode_identity": {"identity": "Zo\u00eb \U0001f3a7 \u7528\u6237",
                              "grants": [{"voice": {"incoming_allow": True}}]},
    "at13_nbf": {"identity": "alice", "not_before": "2023-11-14T22:12:20Z",
                 "grants": [{"video": {
                     "configuration_profile_sid":
                         "VS0123456789abcdef0123456789abcdef"}}]},
    "at14_region": {"identity": "alice", "region": "au1",
                    "grants": [{"voice": {"incoming_allow": True}}]},
    "decode01_valid": {"identity": "alice", "ttl": "600s"},
    "decode02_exp_boundary_minus_1s": {"identity": "alice", "ttl": "600s"},
    "decode03_exp_equal_now": {"identity": "alice", "ttl": "600s"},
    "decode04_nbf_future": {"identity": "alice",
                            "not_before": "2023-11-14T22:14:20Z"},
    "decode05_nbf_equal_now": {"identity": "alice",
                               "not_before": "2023-11-14T22:14:20Z"},
    "decode06_wrong_key": {"identity": "alice", "ttl": "600s"},
}

# A bare HS512 Jwt made to test decoding: no token kind captoken mints.
NOT_TOKENS = {"decode07_hs512_rejected"}

_TR_SETS = {"allow_update_activities": "UPDATE_ACTIVITIES",
            "allow_update_reservations": "UPDATE_RESERVATIONS"}


def _capability(inputs):
  request = {"account_sid": ACCOUNT, "scopes": []}
  for name, args, kwargs in inputs.get("calls", []):
    params = [{"key": k, "value": v} for k, v in kwargs.items()]
    if name == "allow_client_incoming":
      request["scopes"].append({"client_incoming": {"client_name": args[0]}})
    elif name == "allow_client_outgoing":
      request["scopes"].append({"client_outgoing": {
          "application_sid": args[0], "params": params}})
    elif name == "allow_event_stream":
      request["scopes"].append({"event_stream": {"filters": params}})
    else:
      raise ValueError("unknown call " + name)
  ctor = inputs.get("ctor", {})
  ttl = inputs.get("expires", ctor.get("ttl"))
  if ttl is not None:
    request["ttl"] = "%ds" % ttl
  if "nbf" in ctor and ctor["nbf"] is None:
    request["omit_not_before"] = True
  return request


def _taskrouter(inputs):
  kind = next(k for k in CHANNELS if k in inputs["class"])
  sets = ["PYTHON_DEFAULTS"] + [
      _TR_SETS[k] for k, on in inputs.get("kwargs", {}).items() if on]
  return {"account_sid": ACCOUNT, "workspace_sid": WORKSPACE,
          "channel_id": CHANNELS[kind],
          "policy_sets": ["TASK_ROUTER_POLICY_SET_" + s for s in sets]}


def cases(folder, prefixes):
  """(id, kind, now, request, token) for each case whose id starts so."""
  for name in sorted(os.listdir(folder)):
    vector_id = name[:-len(".json")]
    major, _, short = vector_id.partition("_")
    if major not in prefixes or short in NOT_TOKENS:
      continue
    with open(os.path.join(folder, name), encoding="utf-8") as f:
      vector = json.load(f)
    if short.startswith("cc"):
      kind, request = "capability", _capability(vector["inputs"])
    elif short.startswith("tr"):
      kind, request = "taskrouter", _taskrouter(vector["inputs"])
    else:
      kind = "access"
      request = dict(_ACCESS[short], account_sid=ACCOUNT, api_key_sid=KEY)
    request["profile"] = PROFILES[major]
    yield vector_id, kind, int(vector["now"]), request, vector["token"]
