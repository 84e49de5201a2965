"""Random captoken.v1 requests that reach the edges, seeded and reproducible.

case(seed, kind, profile) is a pure function of its arguments: the same
seed always gives the same request and issue second, so a failing case is
reported by its seed and rebuilt from it (run.py --replay). Text is drawn
from ASCII with every URL- and JSON-reserved character, controls, Latin-1,
the BMP (with U+2028/9 and a BOM), astral and combining code points; lengths
include empty and the 512-byte limit's neighbours; counts run from none to
past each limit; every optional field is sometimes present, sometimes not.
"""

import json
import random

PROFILES = ["PROFILE_TWILIO_PYTHON", "PROFILE_TWILIO_PYTHON_6",
            "PROFILE_TWILIO_PYTHON_7", "PROFILE_TWILIO_NODE"]
KINDS = ["capability", "taskrouter", "access"]

ACCOUNT = "AC0123456789abcdef0123456789abcdef"
KEY = "SK00112233445566778899aabbccddeeff"
WORKSPACE = "WS0123456789abcdef0123456789abcdef"

_POOLS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
    " !#$%&'()*+,/:;=?@[]~-._",  # URL-reserved and unreserved marks.
    '"\\/{}[]:,<>',  # JSON-significant.
    "".join(map(chr, range(0x00, 0x20))) + "\x7f",
    "".join(map(chr, range(0x80, 0xa0))),  # C1 controls.
    "".join(map(chr, range(0xa0, 0x100))),  # Latin-1.
    "\u0100\u0394\u05d0\u0627\u0915\u3042\u7528\u6237\uac00\u2028\u2029"
    "\ufeff\ufffd\uffff\u200b\u00e9",  # BMP.
    "\U0001f3a7\U0001f600\U0001d11e\U00010000\U0010fffd",  # Astral.
    "\u0301\u0308\u20dd\u0327",  # Combining.
]
_WEIGHTS = [40, 14, 10, 1, 1, 6, 8, 5, 4]


# Each pool as often as its weight: one choice picks a weighted pool.
_WEIGHTED = [pool for pool, weight in zip(_POOLS, _WEIGHTS)
             for _ in range(weight)]


def _char(rng):
  return rng.choice(rng.choice(_WEIGHTED))


def text(rng, clean=False):
  """A string: often short and plain, sometimes empty, odd, or ~512 bytes."""
  roll = rng.random()
  if roll < 0.03:
    return ""
  if clean or roll < 0.55:
    return "".join(rng.choice(_POOLS[0]) for _ in range(rng.randint(1, 12)))
  if roll < 0.59:
    # Near the 512-byte limit, in bytes, whatever the characters.
    target = rng.choice([510, 511, 512, 513, 514])
    odd = "".join(_char(rng) for _ in range(rng.randint(0, 12)))
    pad = target - len(odd.encode("utf-8"))
    if pad < 0:
      return odd
    cut = rng.randint(0, pad)
    return "a" * cut + odd + "a" * (pad - cut)
  if roll < 0.593:
    return "x\ud800y"  # A lone surrogate: not valid UTF-8 anywhere.
  return "".join(_char(rng) for _ in range(rng.randint(1, 24)))


def sid(rng, prefix):
  """A SID, valid nine times in ten; otherwise one of its near misses."""
  if rng.random() < 0.97:
    return prefix + "".join(rng.choice("0123456789abcdef") for _ in range(32))
  return rng.choice([
      "", prefix, prefix + "0" * 31, prefix + "0" * 33,
      prefix + "0123456789ABCDEF0123456789ABCDEF",
      prefix.lower() + "0" * 32, "XX" + "0" * 32, prefix + "g" * 32,
      prefix + " " + "0" * 31])


def _timestamp(seconds, nanos=0):
  import datetime
  moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
  text_ = moment.strftime("%Y-%m-%dT%H:%M:%S")
  return text_ + (".%09d" % nanos if nanos else "") + "Z"


def lifetime(rng, request, now):
  """ttl and/or expire_time at and around their boundaries, or neither."""
  roll = rng.random()
  edges = [1, 59, 600, 3600, 86399, 86400, 86401, 0, -1, -3600, 10**6]
  if roll < 0.35:
    pass
  elif roll < 0.75:
    seconds = rng.choice(edges + [rng.randint(1, 86400)])
    request["ttl"] = "%ds" % seconds
  elif roll < 0.8:
    request["ttl"] = rng.choice(["1.5s", "0.000000001s", "3600.5s"])
  elif roll < 0.95:
    request["expire_time"] = _timestamp(now + rng.choice(edges))
  else:
    request["ttl"] = "600s"
    request["expire_time"] = _timestamp(now + 600)


def params(rng, limit=6):
  out = []
  for _ in range(rng.choice([0, 0, 1, 1, 2, 3, limit])):
    out.append({"key": text(rng), "value": text(rng)})
  if out and rng.random() < 0.05:
    out.append(dict(out[0]))  # A repeated key.
  return out


def json_value(rng, depth=0):
  roll = rng.random()
  if depth < 3 and roll < 0.15:
    return json_object_text(rng, depth + 1)
  if depth < 3 and roll < 0.22:
    return "[" + ",".join(json_value(rng, depth + 1)
                          for _ in range(rng.randint(0, 3))) + "]"
  if roll < 0.6:
    return json.dumps(text(rng), ensure_ascii=rng.random() < 0.5)
  return rng.choice([
      "true", "false", "null", "0", "-0", "1", "-1", "42", "1.5", "1e2",
      "1E+2", "1.0", "9007199254740991", "-9007199254740991",
      "9007199254740992", "123456789012345678901234567890", "0.1", "-2.5e-3",
      str(rng.randint(-10**6, 10**6))])


def json_object_text(rng, depth=0):
  members = []
  for _ in range(rng.choice([0, 1, 1, 2, 3, 5])):
    key = rng.choice([text(rng), str(rng.randint(0, 20)), "a", "b"])
    members.append(json.dumps(key, ensure_ascii=rng.random() < 0.5) + ":" +
                   json_value(rng, depth))
  space = rng.choice(["", "", " ", "\n "])
  return "{" + space + ("," + space).join(members) + space + "}"


def capability(rng, profile, now):
  request = {"account_sid": sid(rng, "AC")}
  scopes = []
  for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
    roll = rng.random()
    if roll < 0.35:
      scopes.append({"client_incoming": {"client_name": text(rng)}})
    elif roll < 0.7:
      outgoing = {"application_sid": sid(rng, "AP")}
      if rng.random() < 0.7:
        outgoing["params"] = params(rng)
      if rng.random() < 0.25:
        outgoing["client_name"] = text(rng)
      scopes.append({"client_outgoing": outgoing})
    else:
      scopes.append({"event_stream": {"filters": params(rng)}})
  if scopes or rng.random() < 0.5:
    request["scopes"] = scopes
  lifetime(rng, request, now)
  return request


_SETS = ["EVENT_BRIDGE", "NODE_WORKER_DEFAULTS", "PYTHON_DEFAULTS",
         "UPDATE_ACTIVITIES", "UPDATE_RESERVATIONS", "FETCH_SUBRESOURCES",
         "UPDATE_SUBRESOURCES", "DELETE_SUBRESOURCES", "UPDATE_SELF",
         "DELETE_SELF"]


def filters(rng):
  out = []
  for _ in range(rng.choice([0, 0, 1, 2, 3])):
    entry = {"name": text(rng)}
    if rng.random() < 0.6:
      entry["required"] = rng.random() < 0.5
    else:
      entry["constraint_json"] = rng.choice(
          [json_object_text(rng), '{"required":true}', "[]", "1", '"s"'])
    out.append(entry)
  if out and rng.random() < 0.05:
    out.append(dict(out[0]))
  return out


def taskrouter(rng, profile, now):
  workspace = sid(rng, "WS") if rng.random() < 0.3 else WORKSPACE
  request = {"account_sid": sid(rng, "AC"), "workspace_sid": workspace}
  roll = rng.random()
  request["channel_id"] = (sid(rng, "WK") if roll < 0.45 else
                           sid(rng, "WQ") if roll < 0.7 else
                           workspace if roll < 0.9 else sid(rng, "WS"))
  # Python writes the channel id as the friendly name: a friendly name is
  # expressible through node only, so python profiles rarely get one.
  if rng.random() < (0.5 if profile == "PROFILE_TWILIO_NODE" else 0.03):
    request["friendly_name"] = text(rng)
  if rng.random() < 0.2:
    request["version"] = rng.choice(["v1", "v2", "v10", "x1", "v", "V1", ""])
  sets = rng.sample(_SETS, rng.choice([0, 0, 1, 1, 2, 3]))
  if rng.random() < 0.5:
    sets.insert(0, "PYTHON_DEFAULTS" if profile != "PROFILE_TWILIO_NODE"
                else "EVENT_BRIDGE")
  if sets:
    request["policy_sets"] = ["TASK_ROUTER_POLICY_SET_" + s for s in sets]
  policies = []
  for _ in range(rng.choice([0, 0, 1, 1, 2, 3] * 3 + [65])):
    base = rng.choice(["https://taskrouter.twilio.com/v1/Workspaces/" +
                       workspace, "https://event-bridge.twilio.com/v1/x",
                       "http://example.com", "https://example.com/", ""])
    url = base + ("/" + text(rng, clean=rng.random() < 0.7)
                  if base and rng.random() < 0.7 else "")
    policy = {"url": url, "method": rng.choice(
        ["GET", "POST", "DELETE", "GET", "get", "PUT", ""])}
    if rng.random() < 0.4:
      policy["query_filter"] = filters(rng)
    if rng.random() < 0.4:
      policy["post_filter"] = filters(rng)
    if rng.random() < (0.3 if profile != "PROFILE_TWILIO_NODE" else 0.05):
      policy["deny"] = True
    policies.append(policy)
  if policies:
    request["policies"] = policies
  if rng.random() < 0.3:
    request["omit_not_before"] = True
  lifetime(rng, request, now)
  return request


def grant(rng, profile):
  roll = rng.randrange(6)
  if roll == 0:
    voice = {}
    if rng.random() < 0.5:
      voice["incoming_allow"] = True
    if rng.random() < 0.6:
      voice["outgoing_application_sid"] = sid(rng, "AP")
    if rng.random() < 0.5:
      voice["outgoing_application_params_json"] = json_object_text(rng)
    if rng.random() < 0.3:
      voice["push_credential_sid"] = sid(rng, "CR")
    if rng.random() < 0.3:
      voice["endpoint_id"] = text(rng)
    return {"voice": voice}
  if roll == 1:
    chat = {}
    for name, prefix in [("service_sid", "IS"), ("deployment_role_sid", "RL"),
                         ("push_credential_sid", "CR")]:
      if rng.random() < 0.5:
        chat[name] = sid(rng, prefix)
    if rng.random() < 0.4:
      chat["endpoint_id"] = text(rng)
    return {"chat": chat}
  if roll == 2:
    video = {}
    if rng.random() < 0.7:
      video["room"] = text(rng)
    if rng.random() < (0.3 if profile == "PROFILE_TWILIO_PYTHON" else 0.03):
      video["configuration_profile_sid"] = sid(rng, "VS")
    return {"video": video}
  if roll == 3:
    sync = {}
    if rng.random() < 0.6:
      sync["service_sid"] = sid(rng, "IS")
    if rng.random() < 0.4:
      sync["endpoint_id"] = text(rng)
    return {"sync": sync}
  if roll == 4:
    task_router = {}
    if rng.random() < 0.6:
      task_router["workspace_sid"] = sid(rng, "WS")
    if rng.random() < 0.5:
      task_router["worker_sid"] = sid(rng, "WK")
    if rng.random() < 0.5:
      task_router["role"] = text(rng)
    return {"task_router": task_router}
  return {"playback": {"grant_json": rng.choice(
      [json_object_text(rng), "", "{}", "[]"])}}


def access(rng, profile, now):
  request = {"account_sid": sid(rng, "AC"),
             "api_key_sid": KEY if rng.random() < 0.95 else sid(rng, "SK")}
  if rng.random() < 0.95:
    request["identity"] = text(rng)
  grants = [grant(rng, profile)
            for _ in range(rng.choice([0, 1, 1, 2, 3, 6, 17]))]
  if grants:
    request["grants"] = grants
  if rng.random() < 0.2:
    request["region"] = rng.choice(
        ["au1", "ie1", "us1", "de1", "a-b_c.d", "", "\u00e9", " ", "x" * 40])
  roll = rng.random()
  if roll < 0.15:
    request["not_before"] = _timestamp(
        now + rng.choice([-60, 0, 1, 60, 3599, 3600, 86400]),
        rng.choice([0, 0, 0, 500000000]))
  if rng.random() < 0.2:
    request["omit_not_before"] = True
  lifetime(rng, request, now)
  return request


_BUILDERS = {"capability": capability, "taskrouter": taskrouter,
             "access": access}


def case(seed, kind, profile):
  """(now, request) for a seed; the same seed always gives the same case."""
  rng = random.Random("%s/%s/%s" % (seed, kind, profile))
  now = rng.choice([1700000000, 1700000000, 946684800,
                    rng.randint(1500000000, 2000000000), 4102444800])
  request = _BUILDERS[kind](rng, profile, now)
  request["profile"] = profile
  return now, request
