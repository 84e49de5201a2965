"""Why captoken refuses a request the SDK would sign, as documented.

Each category names the row of docs/token-library.md's deviation lists
("Validation: where we are stricter than the SDKs", and the TaskRouter and
Access Token "Refused, where the SDKs signed" paragraphs) it stands for;
run.py counts a refusal only if its message falls in one. A refusal that
matches none, or comes with a code other than INVALID_ARGUMENT, is a
mismatch. The patterns read captoken's own messages, which name the field
and the rule and never quote the value.
"""

import re

# (category, pattern over captoken's message); the first match wins.
CATEGORIES = [
    ("not valid UTF-8 (a lone surrogate)",
     r"Missing low surrogate|Invalid surrogate|lone surrogate|"
     r"not valid UTF-8"),
    ("not a SID of the right kind",
     r'must be "[A-Z]{2}" followed by 32 hex digits|^channel_id: must be|'
     # An empty API key SID: local signing needs the key the secret is for.
     r"^api_key_sid: required"),
    ("a lifetime that is not positive",
     r"ttl: must be positive|expire_time: must be after the signing time"),
    ("a fractional lifetime or time",
     r"(ttl|expire_time|not_before): must be a whole number of seconds"),
    ("a lifetime over 24 h", r"longer than the maximum lifetime"),
    ("both ttl and expire_time", r"ttl, expire_time: set at most one"),
    ("not_before with omit_not_before, or not before the expiry",
     r"omit_not_before: set together with not_before|"
     r"not_before: must be before the expiry"),
    ("a playback grant without its JSON", r"playback\.grant_json: required$"),
    ("an empty required text (client name, identity, key, name, URL)",
     r": required$"),
    ("a control character in text", r"contains a control character"),
    ("text over 512 bytes", r"longer than 512 bytes"),
    ("a repeated parameter, filter or JSON member name",
     r"duplicate key|duplicate member name|duplicate name"),
    ("more than the limit of policies, grants or filters",
     r"more than \d+ (policies|grants|filters)"),
    ("a policy URL that is not https printable ASCII",
     r"url: must be (an https URL|printable ASCII)"),
    ("a method other than GET, POST or DELETE", r"method: must be"),
    ("a version that is not v and digits", r"version: must be"),
    ("a filter constraint or grant JSON that is not an object",
     r"must be a JSON object"),
    ("a JSON number that is not an integer within 2^53",
     r"not an integer|integer outside"),
    ("a standard policy set the channel does not have",
     r"needs a worker channel|needs a channel_id starting"),
    ("a deny policy in the twilio-node profile",
     r"cannot express a deny policy"),
    ("a region outside ASCII letters, digits, - _ .", r"region: must be"),
    ("voice parameters without an application SID",
     r"required with outgoing_application_params"),
    ("an outgoing client name that differs from the incoming one",
     r"differs from the incoming scope's client name"),
]


def classify(code, message):
  """The category of a refusal, or None if it is not a documented one."""
  if code != "INVALID_ARGUMENT":
    return None
  for category, pattern in CATEGORIES:
    if re.search(pattern, message):
      return category
  return None
