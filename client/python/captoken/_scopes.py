"""Builders for capability scopes and requests.

Each helper returns a generated ``captoken.v1`` message, so anything the
helpers do not cover can still be built by hand and passed in unchanged.
"""

from __future__ import annotations

import datetime as _dt
import enum
from typing import Iterable, Mapping, Optional, Sequence, Tuple, Union

from captoken.v1 import capability_pb2

__all__ = [
    "Params",
    "Profile",
    "Ttl",
    "build_capability_request",
    "client_incoming",
    "client_outgoing",
    "event_stream",
]

#: Parameters or filters: an ordered list of ``(key, value)`` pairs, or a
#: mapping (a ``dict`` keeps insertion order). The order is part of the
#: token's bytes and is sent exactly as given.
Params = Union[Sequence[Tuple[str, str]], Mapping[str, str]]

#: A lifetime: a :class:`datetime.timedelta` or a number of seconds.
Ttl = Union[_dt.timedelta, int, float]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


class Profile(enum.IntEnum):
    """Whose bytes a token reproduces (``captoken.v1.Profile``)."""

    #: The server's default (twilio-python 5.x unless its config says
    #: otherwise).
    UNSPECIFIED = capability_pb2.PROFILE_UNSPECIFIED
    #: twilio-python 5.x ``TwilioCapability``.
    TWILIO_PYTHON = capability_pb2.PROFILE_TWILIO_PYTHON
    #: twilio-node 3.x-6.x ``ClientCapability``.
    TWILIO_NODE = capability_pb2.PROFILE_TWILIO_NODE
    #: twilio-python 6.x ``ClientCapabilityToken`` and friends (PyJWT 1.x).
    TWILIO_PYTHON_6 = capability_pb2.PROFILE_TWILIO_PYTHON_6
    #: twilio-python 7.x to 9.x (PyJWT 2.5 or later, which sorts the
    #: header).
    TWILIO_PYTHON_7 = capability_pb2.PROFILE_TWILIO_PYTHON_7


def _param_list(params: Optional[Params], what: str) -> list:
    if params is None:
        return []
    if isinstance(params, (str, bytes)):
        raise TypeError(f"{what} must be a list of (key, value) pairs or a "
                        f"mapping, not {type(params).__name__}")
    items: Iterable = params.items() if isinstance(params, Mapping) else params
    out = []
    for item in items:
        try:
            key, value = item
        except (TypeError, ValueError):
            raise TypeError(f"{what}: each entry must be a (key, value) pair, "
                            f"got {item!r}") from None
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"{what}: keys and values must be str, got "
                            f"({type(key).__name__}, {type(value).__name__})")
        out.append(capability_pb2.Param(key=key, value=value))
    return out


def client_incoming(client_name: str) -> capability_pb2.CapabilityScope:
    """A scope that lets the device receive calls addressed to ``client_name``."""
    return capability_pb2.CapabilityScope(
        client_incoming=capability_pb2.ClientIncoming(client_name=client_name))


def client_outgoing(
    application_sid: str,
    params: Optional[Params] = None,
    client_name: Optional[str] = None,
) -> capability_pb2.CapabilityScope:
    """A scope that lets the device place calls through a TwiML application.

    Args:
      application_sid: the TwiML application SID ("AP" and 32 hex digits).
      params: parameters passed to the application's voice URL, in order,
        e.g. ``[("To", "+15551234567")]`` or ``{"To": "+15551234567"}``.
      client_name: the client name calls are placed as (optional).
    """
    outgoing = capability_pb2.ClientOutgoing(
        application_sid=application_sid,
        params=_param_list(params, "params"),
    )
    if client_name is not None:
        outgoing.client_name = client_name
    return capability_pb2.CapabilityScope(client_outgoing=outgoing)


def event_stream(
    filters: Optional[Params] = None,
) -> capability_pb2.CapabilityScope:
    """A scope that lets the device subscribe to the account's event stream.

    Args:
      filters: filters on the stream, in order, as pairs or a mapping.
    """
    return capability_pb2.CapabilityScope(
        event_stream=capability_pb2.EventStream(
            filters=_param_list(filters, "filters")))


def _duration(ttl: Ttl):
    if isinstance(ttl, bool) or not isinstance(ttl, (_dt.timedelta, int, float)):
        raise TypeError("ttl must be a datetime.timedelta or a number of "
                        f"seconds, not {type(ttl).__name__}")
    if not isinstance(ttl, _dt.timedelta):
        ttl = _dt.timedelta(seconds=ttl)
    request = capability_pb2.CapabilityRequest()
    # Sent as given: the server refuses (INVALID_ARGUMENT) a ttl that is not
    # a whole number of seconds, not positive, or over its cap.
    request.ttl.FromTimedelta(ttl)
    return request.ttl


def _timestamp(when: _dt.datetime, what: str = "expire_time"):
    if not isinstance(when, _dt.datetime):
        raise TypeError(f"{what} must be a datetime.datetime, not "
                        f"{type(when).__name__}")
    if when.tzinfo is None or when.tzinfo.utcoffset(when) is None:
        raise ValueError(f"{what} must be timezone-aware (e.g. "
                         "datetime.now(timezone.utc) + timedelta(minutes=10))")
    micros = (when - _EPOCH) // _dt.timedelta(microseconds=1)
    seconds, micros = divmod(micros, 1_000_000)
    request = capability_pb2.CapabilityRequest()
    request.expire_time.seconds = seconds
    request.expire_time.nanos = micros * 1000
    return request.expire_time


def _flag(value: bool, what: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{what} must be bool, not {type(value).__name__}")
    return value


def _profile(profile: Union[Profile, int, str]) -> int:
    if isinstance(profile, bool):
        raise TypeError("profile must be a captoken.Profile")
    if isinstance(profile, str):
        name = profile.upper().replace("-", "_")
        if not name.startswith("PROFILE_"):
            name = "PROFILE_" + name
        try:
            return capability_pb2.Profile.Value(name)
        except ValueError:
            raise ValueError(f"unknown profile {profile!r}") from None
    if isinstance(profile, int):
        return int(Profile(profile))
    raise TypeError("profile must be a captoken.Profile, not "
                    f"{type(profile).__name__}")


def build_capability_request(
    account_sid: str,
    scopes: Iterable[capability_pb2.CapabilityScope],
    *,
    ttl: Optional[Ttl] = None,
    expire_time: Optional[_dt.datetime] = None,
    profile: Union[Profile, int, str, None] = None,
    omit_not_before: bool = False,
) -> capability_pb2.CapabilityRequest:
    """Builds the ``captoken.v1.CapabilityRequest`` that
    :meth:`TokenClient.mint_capability_token` sends for the same arguments.

    Args:
      account_sid: the Twilio account SID ("AC" and 32 hex digits).
      scopes: the capabilities, in order (see :func:`client_incoming`,
        :func:`client_outgoing`, :func:`event_stream`).
      ttl: the token's lifetime from the moment the server signs it, as a
        ``timedelta`` or seconds. Whole seconds, positive, at most the
        server's cap (24 h by default).
      expire_time: an absolute, timezone-aware expiry instead of ``ttl``.
      profile: :class:`Profile` (or its name, e.g. ``"PROFILE_TWILIO_NODE"``,
        ``"twilio-node"`` or ``"twilio-python-7"``); ``None`` leaves it to
        the server's default.
      omit_not_before: write no ``nbf``. ``Profile.TWILIO_PYTHON_6`` and
        ``TWILIO_PYTHON_7`` write nbf = the signing time by default, as those
        SDKs do; this is their ``nbf=None``. The other profiles never write
        one.

    Neither ``ttl`` nor ``expire_time``: the server's default (3600 s).
    Giving both is left to the server to refuse (INVALID_ARGUMENT), like any
    other rule it owns; only the Python types are checked here.

    Raises:
      TypeError, ValueError: an argument of the wrong type, or a naive
        ``expire_time``.
    """
    if not isinstance(account_sid, str):
        raise TypeError("account_sid must be str, not "
                        f"{type(account_sid).__name__}")
    if isinstance(scopes, (str, bytes, capability_pb2.CapabilityScope)):
        raise TypeError("scopes must be a list of CapabilityScope, e.g. "
                        "[captoken.client_incoming('alice')]")
    scope_list = list(scopes)
    for i, scope in enumerate(scope_list):
        if not isinstance(scope, capability_pb2.CapabilityScope):
            raise TypeError(f"scopes[{i}] must be a CapabilityScope (use "
                            "captoken.client_incoming, client_outgoing or "
                            f"event_stream), not {type(scope).__name__}")
    request = capability_pb2.CapabilityRequest(account_sid=account_sid,
                                               scopes=scope_list)
    if ttl is not None:
        request.ttl.CopyFrom(_duration(ttl))
    if expire_time is not None:
        request.expire_time.CopyFrom(_timestamp(expire_time))
    if profile is not None:
        request.profile = _profile(profile)
    if _flag(omit_not_before, "omit_not_before"):
        request.omit_not_before = True
    return request
