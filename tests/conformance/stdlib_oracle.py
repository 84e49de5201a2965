#!/usr/bin/python3
"""An oracle for twilio-python 5.x and 6.x, which no reachable registry serves.

It builds each token with the standard-library calls those SDKs make:
5.x's TwilioCapability, TaskRouter*Capability and AccessToken with its
home-grown JWT encoder (json.dumps with the default, spaced separators);
6.x's ClientCapabilityToken, *CapabilityToken and AccessToken encoded as
PyJWT 1.7.1 does (json.dumps with separators=(",", ":"), header
{"typ", "alg"} updated with the SDK's extra keys); both with
urllib.parse.urlencode for scopes. It is an oracle only because
check_stdlib_oracle.py shows it reproduces every py5_* and py6_* vector
first; run.py refuses to use it otherwise.

  stdlib_oracle.py 5|6 AUTH_TOKEN API_KEY_SECRET < requests > answers

Lines in and out as sdk7_oracle.py.
"""

import base64
import hashlib
import hmac
import json
import sys
from urllib.parse import urlencode

import request_plan
from request_plan import Inexpressible

# What `inexpressible` means for a flavour: neither SDK had these.
EVENT_BRIDGE_BASE = "https://event-bridge.twilio.com/v1/wschannels"
TASKROUTER_BASE = "https://taskrouter.twilio.com"


def b64(data):
  return base64.urlsafe_b64encode(data).rstrip(b"=")


def encode_jwt(header, payload, key, separators):
  """Both SDKs' JWT layer: json.dumps, UTF-8, base64url, HMAC-SHA256."""
  segments = [
      b64(json.dumps(header, separators=separators).encode("utf-8")),
      b64(json.dumps(payload, separators=separators).encode("utf-8")),
  ]
  signing_input = b".".join(segments)
  mac = hmac.new(key.encode("utf-8"), signing_input, hashlib.sha256).digest()
  return (signing_input + b"." + b64(mac)).decode("ascii")


class Flavour:
  """The bytes of one major: 5 (spaced, legacy orders) or 6 (compact)."""

  def __init__(self, major):
    self.major = major
    self.separators = (", ", ": ") if major == 5 else (",", ":")

  def sign(self, payload, key, extra_headers=None):
    header = {"typ": "JWT", "alg": "HS256"}
    header.update(extra_headers or {})
    return encode_jwt(header, payload, key, self.separators)


def scope_uri(service, privilege, params):
  """ScopeURI.to_payload (5.x __str__): parameters sorted, urlencoded."""
  if params:
    return "scope:%s:%s?%s" % (service, privilege,
                               urlencode(sorted(params.items())))
  return "scope:%s:%s" % (service, privilege)


def capability(flavour, request, now, auth_token):
  ttl = request_plan.ttl_of(request, now)
  ttl = 3600 if ttl is None else ttl
  capabilities = {}  # The SDKs' dict: one scope per kind, first position.
  client_name = None
  outgoing_name = None  # The explicit name of the outgoing scope in force.
  for scope in request.get("scopes", []):
    if "client_incoming" in scope:
      client_name = scope["client_incoming"].get("client_name", "")
      capabilities["incoming"] = ("client", "incoming",
                                  {"clientName": client_name})
    elif "client_outgoing" in scope:
      outgoing = scope["client_outgoing"]
      kwargs = request_plan.params_dict(outgoing.get("params", []))
      if "application_sid" in kwargs:
        raise TypeError("got multiple values for argument 'application_sid'")
      params = {"appSid": outgoing.get("application_sid", "")}
      if kwargs:
        params["appParams"] = urlencode(kwargs, doseq=True)
      capabilities["outgoing"] = ("client", "outgoing", params)
      outgoing_name = outgoing.get("client_name") or None
    elif "event_stream" in scope:
      kwargs = request_plan.params_dict(
          scope["event_stream"].get("filters", []))
      params = {"path": "/2010-04-01/Events"}
      if kwargs:
        params["params"] = urlencode(kwargs, doseq=True)
      capabilities["events"] = ("stream", "subscribe", params)
    else:
      raise Inexpressible("a scope of no kind")
  if client_name is None:
    client_name = outgoing_name  # The attribute, as sdk7_oracle.py sets it.
  if "outgoing" in capabilities and client_name is not None:
    capabilities["outgoing"][2]["clientName"] = client_name
  scope = " ".join(scope_uri(*c) for c in capabilities.values())
  account_sid = request.get("account_sid", "")
  time_now = now + 0.123
  if flavour.major == 5:
    # TwilioCapability.generate(expires): int(time.time() + expires).
    payload = {"scope": scope, "iss": account_sid,
               "exp": int(time_now + ttl)}
  else:
    payload = {"scope": scope, "iss": account_sid, "exp": int(time_now) + ttl}
    if not request.get("omit_not_before"):
      payload["nbf"] = int(time_now)
  return flavour.sign(payload, auth_token)


def policy(url, method, allow, query_filter=None, post_filter=None):
  return {"url": url, "method": method.upper(), "allow": allow,
          "query_filter": query_filter or {}, "post_filter": post_filter or {}}


def taskrouter(flavour, request, now, auth_token):
  if request.get("friendly_name"):
    raise Inexpressible("python writes the channel id as friendly_name")
  account_sid = request.get("account_sid", "")
  workspace_sid = request.get("workspace_sid", "")
  channel = request.get("channel_id", "")
  prefix = channel[:2]
  # The SDKs' _validate_inputs (5.x: the same prefix checks).
  if not account_sid.startswith("AC"):
    raise ValueError("Invalid account sid provided")
  if not workspace_sid.startswith("WS"):
    raise ValueError("Invalid workspace sid provided")
  if prefix not in ("WK", "WQ", "WS"):
    raise ValueError("Invalid channel id provided")
  if prefix == "WS" and channel != workspace_sid:
    # WorkspaceCapabilityToken's channel is its workspace.
    raise Inexpressible("a workspace channel other than the workspace")
  version = request.get("version") or "v1"
  workspace_url = "%s/%s/Workspaces/%s" % (TASKROUTER_BASE, version,
                                            workspace_sid)
  resource = {"WK": workspace_url + "/Workers/" + channel,
              "WQ": workspace_url + "/TaskQueues/" + channel,
              "WS": workspace_url}[prefix]
  bridge = "%s/%s/%s" % (EVENT_BRIDGE_BASE, account_sid, channel)
  worker_only = {
      "fetch_activities": [policy(workspace_url + "/Activities", "GET", True)],
      "fetch_reservations": [policy(workspace_url + "/Tasks/**", "GET", True)],
      "fetch_worker_reservations": [
          policy(resource + "/Reservations/**", "GET", True)],
  }
  sets = {
      "event_bridge": [policy(bridge, "GET", True),
                       policy(bridge, "POST", True)],
      "fetch_self": [policy(resource, "GET", True)],
      "update_self": [policy(resource, "POST", True)],
      "delete_self": [policy(resource, "DELETE", True)],
      "fetch_subresources": [policy(resource + "/**", "GET", True)],
      "update_subresources": [policy(resource + "/**", "POST", True)],
      "delete_subresources": [policy(resource + "/**", "DELETE", True)],
  }
  if prefix == "WK":
    sets["update_activities"] = [
        policy(resource, "POST", True,
               post_filter={"ActivitySid": {"required": True}})]
    sets["update_reservations"] = [
        policy(workspace_url + "/Tasks/**", "POST", True),
        policy(resource + "/Reservations/**", "POST", True)]
  policies = []
  for name in request.get("policy_sets", []):
    name = request_plan.POLICY_SET_NAMES.get(name)
    if name == "python_defaults":
      policies += sets["event_bridge"] + sets["fetch_self"]
      if prefix == "WK":
        policies += sum(worker_only.values(), [])
    elif name == "node_worker_defaults" and prefix == "WK":
      policies += sum(worker_only.values(), []) + sets["fetch_self"]
    elif name in sets:
      policies += sets[name]
    else:
      # The SDK class has no such method (e.g. a task queue's
      # allow_update_activities).
      raise AttributeError("no method for policy set %s" % name)
  for p in request.get("policies", []):
    policies.append(
        # An unset method is GET, the request's documented default.
        policy(p.get("url", ""), p.get("method") or "GET",
               not p.get("deny", False),
               request_plan.filter_dict(p.get("query_filter", [])),
               request_plan.filter_dict(p.get("post_filter", []))))
  ttl = request_plan.ttl_of(request, now)
  ttl = 3600 if ttl is None else ttl
  time_now = now + 0.123
  if flavour.major == 5:
    payload = {"iss": account_sid, "exp": int(time_now) + ttl,
               "version": version, "friendly_name": channel,
               "policies": policies, "account_sid": account_sid,
               "workspace_sid": workspace_sid, "channel": channel}
  else:
    payload = {"account_sid": account_sid, "workspace_sid": workspace_sid,
               "channel": channel, "version": version,
               "friendly_name": channel, "policies": policies}
  if prefix == "WK":
    payload["worker_sid"] = channel
  elif prefix == "WQ":
    payload["taskqueue_sid"] = channel
  if flavour.major != 5:
    payload["iss"] = account_sid
    payload["exp"] = int(time_now) + ttl
    if not request.get("omit_not_before"):
      payload["nbf"] = int(time_now)
  return flavour.sign(payload, auth_token)


def truthy_members(source, names):
  return {name: source[name] for name in names if source.get(name)}


def grant_payload(flavour, grant):
  """(key, payload) of one grant: each SDK's to_payload, falsy left out."""
  if "voice" in grant:
    voice = grant["voice"]
    payload = {}
    if voice.get("incoming_allow") is True:
      payload["incoming"] = {"allow": True}  # 6.x; 5.x in captoken's place.
    if voice.get("outgoing_application_sid"):
      payload["outgoing"] = {
          "application_sid": voice["outgoing_application_sid"]}
      params = voice.get("outgoing_application_params_json")
      params = request_plan.json_object(params) if params else None
      if params:
        payload["outgoing"]["params"] = params
    payload.update(
        truthy_members(voice, ["push_credential_sid", "endpoint_id"]))
    return "voice", payload
  if "chat" in grant:
    return "chat", truthy_members(grant["chat"], [
        "service_sid", "endpoint_id", "deployment_role_sid",
        "push_credential_sid"])
  if "video" in grant:
    video = grant["video"]
    if video.get("configuration_profile_sid"):
      if flavour.major != 5:
        raise Inexpressible("6.x VideoGrant has no configuration_profile_sid")
      if video.get("room"):
        # No vector shows 5.x's order of the two; do not guess it.
        raise Inexpressible("5.x VideoGrant's member order is unrecorded")
    return "video", truthy_members(video,
                                   ["room", "configuration_profile_sid"])
  if "sync" in grant:
    return "data_sync", truthy_members(grant["sync"],
                                       ["service_sid", "endpoint_id"])
  if "task_router" in grant:
    return "task_router", truthy_members(grant["task_router"],
                                         ["workspace_sid", "worker_sid",
                                          "role"])
  if "playback" in grant:
    text = grant["playback"].get("grant_json")
    return "player", request_plan.json_object(text) if text else None
  raise Inexpressible("a grant of no kind")


def access(flavour, request, now, api_key_secret):
  account_sid = request.get("account_sid", "")
  key_sid = request.get("api_key_sid", "")
  identity = request.get("identity")
  region = request.get("region")
  if flavour.major == 5 and region:
    raise Inexpressible("5.x AccessToken has no region")
  if "not_before" in request and request.get("omit_not_before"):
    raise Inexpressible("not_before and omit_not_before together")
  ttl = request_plan.ttl_of(request, now)
  ttl = 3600 if ttl is None else ttl
  seconds = int(now + 0.123)
  grants = {}
  if flavour.major == 5 and identity:
    grants["identity"] = identity
  for grant in request.get("grants", []):
    key, payload = grant_payload(flavour, grant)
    grants[key] = payload
  if flavour.major != 5 and identity:
    grants["identity"] = identity
  jti = "%s-%s" % (key_sid, seconds)
  if flavour.major == 5:
    payload = {"jti": jti, "iss": key_sid, "sub": account_sid,
               "exp": seconds + ttl, "grants": grants}
    if "not_before" in request:
      payload["nbf"] = request_plan.timestamp_seconds(request["not_before"])
    return flavour.sign(payload, api_key_secret,
                        {"cty": "twilio-fpa;v=1"})
  payload = {"jti": jti, "grants": grants, "iss": key_sid,
             "exp": seconds + ttl}
  if "not_before" in request:
    payload["nbf"] = request_plan.timestamp_seconds(request["not_before"])
  elif not request.get("omit_not_before"):
    payload["nbf"] = seconds
  if account_sid:
    payload["sub"] = account_sid
  headers = {"cty": "twilio-fpa;v=1"}
  if region:
    headers["twr"] = region
  return flavour.sign(payload, api_key_secret, headers)


def answer(flavour, case, secrets):
  kind, now, request = case["kind"], case["now"], case["request"]
  try:
    if kind == "capability":
      token = capability(flavour, request, now, secrets[0])
    elif kind == "taskrouter":
      token = taskrouter(flavour, request, now, secrets[0])
    else:
      token = access(flavour, request, now, secrets[1])
  except Inexpressible as e:
    return {"inexpressible": str(e)}
  except Exception as e:  # What the SDK would have raised.
    return {"error": "%s: %s" % (type(e).__name__, e)}
  return {"token": token}


def main():
  flavour = Flavour(int(sys.argv[1]))
  secrets = sys.argv[2:4]
  for line in sys.stdin:
    sys.stdout.write(
        json.dumps(answer(flavour, json.loads(line), secrets)) + "\n")


if __name__ == "__main__":
  main()
