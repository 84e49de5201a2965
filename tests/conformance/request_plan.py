"""What a captoken.v1 request means as twilio-python calls.

The python oracles (sdk7_oracle.py over twilio-python 7.7.1, stdlib_oracle.py
for 5.x and 6.x) share this reading of a request in its protobuf JSON form,
so that each only maps the plan onto its own SDK's calls. A request an SDK
cannot express raises Inexpressible; one the SDK would refuse is left for
the SDK to refuse.
"""

import datetime
import json
import re


class Inexpressible(Exception):
  """The request asks for something no call of this SDK can make."""


POLICY_SET_NAMES = {
    "TASK_ROUTER_POLICY_SET_EVENT_BRIDGE": "event_bridge",
    "TASK_ROUTER_POLICY_SET_NODE_WORKER_DEFAULTS": "node_worker_defaults",
    "TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS": "python_defaults",
    "TASK_ROUTER_POLICY_SET_UPDATE_ACTIVITIES": "update_activities",
    "TASK_ROUTER_POLICY_SET_UPDATE_RESERVATIONS": "update_reservations",
    "TASK_ROUTER_POLICY_SET_FETCH_SUBRESOURCES": "fetch_subresources",
    "TASK_ROUTER_POLICY_SET_UPDATE_SUBRESOURCES": "update_subresources",
    "TASK_ROUTER_POLICY_SET_DELETE_SUBRESOURCES": "delete_subresources",
    "TASK_ROUTER_POLICY_SET_UPDATE_SELF": "update_self",
    "TASK_ROUTER_POLICY_SET_DELETE_SELF": "delete_self",
}

_DURATION = re.compile(r"^(-?)(\d+)(?:\.(\d{1,9}))?s$")


def duration_seconds(text):
  """A protobuf JSON Duration ("600s", "1.5s") as an int, or a float."""
  match = _DURATION.match(text)
  if not match:
    raise ValueError("bad duration " + text)
  sign, whole, fraction = match.groups()
  value = int(whole)
  if fraction and int(fraction):
    value = value + int(fraction) / 10**len(fraction)
  return -value if sign else value


def timestamp_seconds(text):
  """A protobuf JSON Timestamp (RFC 3339, "Z") as whole or fractional s."""
  main, _, rest = text.rstrip("Z").partition(".")
  moment = datetime.datetime.strptime(main, "%Y-%m-%dT%H:%M:%S").replace(
      tzinfo=datetime.timezone.utc)
  seconds = int(moment.timestamp())
  if rest and int(rest):
    return seconds + int(rest) / 10**len(rest)
  return seconds


def ttl_of(request, now):
  """The SDK's ttl argument: the request's ttl, or expire_time - now.

  With neither, None: the SDK's own default (3600). A request with both is
  one no SDK call can express.
  """
  if "ttl" in request and "expire_time" in request:
    raise Inexpressible("ttl and expire_time together")
  if "ttl" in request:
    return duration_seconds(request["ttl"])
  if "expire_time" in request:
    return timestamp_seconds(request["expire_time"]) - now
  return None


def params_dict(params):
  """Param messages as the **kwargs dict the python SDK takes, in order."""
  result = {}
  for param in params:
    key = param.get("key", "")
    if key in result:
      raise Inexpressible("a repeated keyword argument")
    result[key] = param.get("value", "")
  return result


def json_object(text):
  """JSON text as python's json.loads reads it (the SDK takes a dict)."""
  value = json.loads(text)
  if not isinstance(value, dict):
    raise Inexpressible("a JSON value that is not an object")
  return value


def filter_dict(filters):
  result = {}
  for entry in filters:
    name = entry.get("name", "")
    if name in result:
      raise Inexpressible("a repeated filter name")
    if "constraint_json" in entry:
      result[name] = json_object(entry["constraint_json"])
    elif "required" in entry:
      result[name] = {"required": entry["required"]}
    else:
      raise Inexpressible("a filter without a constraint")
  return result
