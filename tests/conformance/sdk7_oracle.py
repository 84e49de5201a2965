#!/usr/bin/python3
"""The twilio-python 7.7.1 oracle (Debian's python3-twilio, PyJWT 2.6).

Reads requests as JSON lines ({"kind", "now", "request"}) and writes, per
line, {"token": ...} made by the SDK's own classes under a frozen clock,
{"error": ...} when the SDK raises, or {"inexpressible": ...}. The secrets
are the SDK vectors' (tests/vectors/SDK_VECTORS_README.md).

  sdk7_oracle.py AUTH_TOKEN API_KEY_SECRET < requests > answers
"""

import json
import sys
import time
from unittest import mock

import twilio
from twilio.jwt import Jwt
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token import grants as grant_classes
from twilio.jwt.client import ClientCapabilityToken
from twilio.jwt.taskrouter import capabilities

import request_plan
from request_plan import Inexpressible

VERSION = twilio.__version__


def nbf_argument(request):
  return None if request.get("omit_not_before") else Jwt.GENERATE


def capability(request, now, auth_token):
  kwargs = {"nbf": nbf_argument(request)}
  ttl = request_plan.ttl_of(request, now)
  if ttl is not None:
    kwargs["ttl"] = ttl
  token = ClientCapabilityToken(request.get("account_sid", ""), auth_token,
                                **kwargs)
  outgoing_name = None  # The explicit name of the outgoing scope in force.
  for scope in request.get("scopes", []):
    if "client_incoming" in scope:
      token.allow_client_incoming(scope["client_incoming"].get(
          "client_name", ""))
    elif "client_outgoing" in scope:
      outgoing = scope["client_outgoing"]
      token.allow_client_outgoing(
          outgoing.get("application_sid", ""),
          **request_plan.params_dict(outgoing.get("params", [])))
      outgoing_name = outgoing.get("client_name") or None
    elif "event_stream" in scope:
      token.allow_event_stream(
          **request_plan.params_dict(scope["event_stream"].get("filters", [])))
    else:
      raise Inexpressible("a scope of no kind")
  if token.client_name is None and outgoing_name is not None:
    # The SDK has no argument for an outgoing scope's own client name; the
    # attribute is what allow_client_incoming sets and _generate_payload
    # copies into the outgoing scope.
    token.client_name = outgoing_name
  return token.to_jwt()


_CLASSES = {
    "WK": capabilities.WorkerCapabilityToken,
    "WQ": capabilities.TaskQueueCapabilityToken,
    "WS": capabilities.WorkspaceCapabilityToken,
}

# The SDK's constructor attaches these unless told not to; the plan adds
# each set where the request names it.
_NO_DEFAULTS = {
    "allow_web_sockets": False,
    "allow_fetch_self": False,
    "allow_fetch_activities": False,
    "allow_fetch_reservations": False,
    "allow_fetch_worker_reservations": False,
}

_SET_CALLS = {
    "event_bridge": ["allow_web_sockets"],
    "python_defaults": ["allow_web_sockets", "allow_fetch_self", "WORKER",
                        "allow_fetch_activities", "allow_fetch_reservations",
                        "allow_fetch_worker_reservations"],
    "node_worker_defaults": ["allow_fetch_activities",
                             "allow_fetch_reservations",
                             "allow_fetch_worker_reservations",
                             "allow_fetch_self"],
    "update_activities": ["allow_update_activities"],
    "update_reservations": ["allow_update_reservations"],
    "fetch_subresources": ["allow_fetch_subresources"],
    "update_subresources": ["allow_update_subresources"],
    "delete_subresources": ["allow_delete_subresources"],
    "update_self": ["allow_update_self"],
    "delete_self": ["allow_delete_self"],
}


def taskrouter(request, now, auth_token):
  if request.get("friendly_name"):
    raise Inexpressible("python writes the channel id as friendly_name")
  channel = request.get("channel_id", "")
  cls = _CLASSES.get(channel[:2], capabilities.WorkerCapabilityToken)
  kwargs = dict(_NO_DEFAULTS, nbf=nbf_argument(request))
  ttl = request_plan.ttl_of(request, now)
  if ttl is not None:
    kwargs["ttl"] = ttl
  ids = [request.get("account_sid", ""), auth_token,
         request.get("workspace_sid", "")]
  if cls is capabilities.WorkspaceCapabilityToken:
    # Its channel is its workspace: it takes no channel argument.
    if channel != ids[2]:
      raise Inexpressible("a workspace channel other than the workspace")
  else:
    ids.append(channel)
  token = cls(*ids, **kwargs)
  if request.get("version"):
    token.VERSION = request["version"]  # The class constant, per instance.
  for name in request.get("policy_sets", []):
    if name not in request_plan.POLICY_SET_NAMES:
      raise Inexpressible("policy set " + str(name))
    for call in _SET_CALLS[request_plan.POLICY_SET_NAMES[name]]:
      if call == "WORKER":
        if cls is not capabilities.WorkerCapabilityToken:
          break
        continue
      getattr(token, call)()
  for policy in request.get("policies", []):
    # An unset method is GET, the request's documented default.
    token._make_policy(  # pylint: disable=protected-access
        policy.get("url", ""), policy.get("method") or "GET",
        not policy.get("deny", False),
        request_plan.filter_dict(policy.get("query_filter", [])),
        request_plan.filter_dict(policy.get("post_filter", [])))
  return token.to_jwt()


def grant_of(grant):
  if "voice" in grant:
    voice = grant["voice"]
    params = voice.get("outgoing_application_params_json")
    return grant_classes.VoiceGrant(
        incoming_allow=voice.get("incoming_allow") or None,
        outgoing_application_sid=voice.get("outgoing_application_sid"),
        outgoing_application_params=(request_plan.json_object(params)
                                     if params else None),
        push_credential_sid=voice.get("push_credential_sid"),
        endpoint_id=voice.get("endpoint_id"))
  if "chat" in grant:
    return grant_classes.ChatGrant(**grant["chat"])
  if "video" in grant:
    if grant["video"].get("configuration_profile_sid"):
      raise Inexpressible("VideoGrant has no configuration_profile_sid")
    return grant_classes.VideoGrant(room=grant["video"].get("room"))
  if "sync" in grant:
    return grant_classes.SyncGrant(**grant["sync"])
  if "task_router" in grant:
    return grant_classes.TaskRouterGrant(**grant["task_router"])
  if "playback" in grant:
    text = grant["playback"].get("grant_json")
    return grant_classes.PlaybackGrant(
        grant=request_plan.json_object(text) if text else None)
  raise Inexpressible("a grant of no kind")


def access(request, now, api_key_secret):
  kwargs = {"nbf": nbf_argument(request)}
  if "not_before" in request:
    if request.get("omit_not_before"):
      raise Inexpressible("not_before and omit_not_before together")
    kwargs["nbf"] = request_plan.timestamp_seconds(request["not_before"])
  ttl = request_plan.ttl_of(request, now)
  if ttl is not None:
    kwargs["ttl"] = ttl
  token = AccessToken(request.get("account_sid", ""),
                      request.get("api_key_sid", ""), api_key_secret,
                      grants=[grant_of(g) for g in request.get("grants", [])],
                      identity=request.get("identity"),
                      region=request.get("region") or None, **kwargs)
  return token.to_jwt()


def answer(case, secrets):
  kind, now, request = case["kind"], case["now"], case["request"]
  try:
    with mock.patch.object(time, "time", return_value=now + 0.123):
      if kind == "capability":
        token = capability(request, now, secrets[0])
      elif kind == "taskrouter":
        token = taskrouter(request, now, secrets[0])
      else:
        token = access(request, now, secrets[1])
  except Inexpressible as e:
    return {"inexpressible": str(e)}
  except Exception as e:  # The SDK refused: any exception is its answer.
    return {"error": "%s: %s" % (type(e).__name__, e)}
  return {"token": token}


def main():
  secrets = sys.argv[1:3]
  out = sys.stdout
  for line in sys.stdin:
    out.write(json.dumps(answer(json.loads(line), secrets)) + "\n")


if __name__ == "__main__":
  main()
