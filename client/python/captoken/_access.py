"""Builders for Access Token requests and their grants.

Each helper returns a generated ``captoken.v1`` message, so anything they do
not cover can be built by hand and passed in unchanged.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Iterable, Mapping, Optional, Union

from captoken._scopes import (Profile, Ttl, _duration, _flag, _profile,
                              _timestamp)
from captoken.v1 import access_token_pb2

__all__ = [
    "JsonObject",
    "build_access_token_request",
    "chat_grant",
    "playback_grant",
    "sync_grant",
    "taskrouter_grant",
    "video_grant",
    "voice_grant",
]

#: A JSON object: its text (sent verbatim) or a mapping (sent as compact
#: JSON in its iteration order, which a ``dict`` keeps).
JsonObject = Union[str, Mapping[str, Any]]

_GRANT_FIELDS = {
    access_token_pb2.VoiceGrant: "voice",
    access_token_pb2.ChatGrant: "chat",
    access_token_pb2.VideoGrant: "video",
    access_token_pb2.SyncGrant: "sync",
    access_token_pb2.TaskRouterGrant: "task_router",
    access_token_pb2.PlaybackGrant: "playback",
}


def _json_text(value: JsonObject, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    raise TypeError(f"{what} must be a JSON object as str or a mapping, not "
                    f"{type(value).__name__}")


def _set(message, **fields) -> None:
    for name, value in fields.items():
        if value is None:
            continue
        if not isinstance(value, str):
            raise TypeError(f"{name} must be str, not {type(value).__name__}")
        setattr(message, name, value)


def voice_grant(
    *,
    incoming_allow: bool = False,
    outgoing_application_sid: Optional[str] = None,
    outgoing_application_params: Optional[JsonObject] = None,
    push_credential_sid: Optional[str] = None,
    endpoint_id: Optional[str] = None,
) -> access_token_pb2.AccessGrant:
    """A Voice SDK grant.

    Args:
      incoming_allow: receive calls as the token's identity.
      outgoing_application_sid: the TwiML application ("AP…") outgoing calls
        go through.
      outgoing_application_params: parameters for that application, a JSON
        object (integers only) as text or a mapping, kept in order.
      push_credential_sid: "CR…".
      endpoint_id: optional endpoint id.
    """
    grant = access_token_pb2.VoiceGrant(incoming_allow=bool(incoming_allow))
    _set(grant, outgoing_application_sid=outgoing_application_sid,
         push_credential_sid=push_credential_sid, endpoint_id=endpoint_id)
    if outgoing_application_params is not None:
        grant.outgoing_application_params_json = _json_text(
            outgoing_application_params, "outgoing_application_params")
    return access_token_pb2.AccessGrant(voice=grant)


def chat_grant(
    *,
    service_sid: Optional[str] = None,
    endpoint_id: Optional[str] = None,
    deployment_role_sid: Optional[str] = None,
    push_credential_sid: Optional[str] = None,
) -> access_token_pb2.AccessGrant:
    """A Conversations / Programmable Chat grant (``service_sid`` "IS…")."""
    grant = access_token_pb2.ChatGrant()
    _set(grant, service_sid=service_sid, endpoint_id=endpoint_id,
         deployment_role_sid=deployment_role_sid,
         push_credential_sid=push_credential_sid)
    return access_token_pb2.AccessGrant(chat=grant)


def video_grant(
    room: Optional[str] = None,
    *,
    configuration_profile_sid: Optional[str] = None,
) -> access_token_pb2.AccessGrant:
    """A Programmable Video grant: one ``room``, or any room when not given."""
    grant = access_token_pb2.VideoGrant()
    _set(grant, room=room, configuration_profile_sid=configuration_profile_sid)
    return access_token_pb2.AccessGrant(video=grant)


def sync_grant(
    *,
    service_sid: Optional[str] = None,
    endpoint_id: Optional[str] = None,
) -> access_token_pb2.AccessGrant:
    """A Sync grant (``service_sid`` "IS…")."""
    grant = access_token_pb2.SyncGrant()
    _set(grant, service_sid=service_sid, endpoint_id=endpoint_id)
    return access_token_pb2.AccessGrant(sync=grant)


def taskrouter_grant(
    *,
    workspace_sid: Optional[str] = None,
    worker_sid: Optional[str] = None,
    role: Optional[str] = None,
) -> access_token_pb2.AccessGrant:
    """A TaskRouter grant (``workspace_sid`` "WS…", ``worker_sid`` "WK…")."""
    grant = access_token_pb2.TaskRouterGrant()
    _set(grant, workspace_sid=workspace_sid, worker_sid=worker_sid, role=role)
    return access_token_pb2.AccessGrant(task_router=grant)


def playback_grant(grant: JsonObject) -> access_token_pb2.AccessGrant:
    """A Twilio Live playback grant: the JSON object Twilio's PlaybackGrant
    API returned, as text (copied verbatim) or a mapping."""
    return access_token_pb2.AccessGrant(playback=access_token_pb2.PlaybackGrant(
        grant_json=_json_text(grant, "grant")))


def _grant(value, index: int) -> access_token_pb2.AccessGrant:
    if isinstance(value, access_token_pb2.AccessGrant):
        return value
    field = _GRANT_FIELDS.get(type(value))
    if field is not None:  # a bare VoiceGrant, ChatGrant, ...
        grant = access_token_pb2.AccessGrant()
        getattr(grant, field).CopyFrom(value)
        return grant
    raise TypeError(f"grants[{index}] must be an AccessGrant (use "
                    "captoken.voice_grant, chat_grant, video_grant, sync_grant, "
                    f"taskrouter_grant or playback_grant), not {type(value).__name__}")


def build_access_token_request(
    account_sid: str,
    identity: str,
    grants: Iterable[access_token_pb2.AccessGrant] = (),
    *,
    api_key_sid: Optional[str] = None,
    ttl: Optional[Ttl] = None,
    expire_time: Optional[_dt.datetime] = None,
    not_before: Optional[_dt.datetime] = None,
    region: Optional[str] = None,
    profile: Union[Profile, int, str, None] = None,
    omit_not_before: bool = False,
) -> access_token_pb2.AccessTokenRequest:
    """Builds the ``captoken.v1.AccessTokenRequest`` that
    :meth:`TokenClient.mint_access_token` sends for the same arguments.

    Args:
      account_sid: "AC" and 32 hex digits (the token's ``sub``).
      identity: who the token is for.
      grants: the grants, in order (:func:`voice_grant`, :func:`chat_grant`,
        :func:`video_grant`, :func:`sync_grant`, :func:`taskrouter_grant`,
        :func:`playback_grant`); a later grant of a kind replaces an earlier
        one in its place.
      api_key_sid: which of the account's API keys ("SK…") signs; default:
        the server's first key for the account that may sign.
      ttl, expire_time, profile: as for :func:`build_capability_request`.
      not_before: an optional, timezone-aware ``nbf`` (whole seconds).
        Without it ``Profile.TWILIO_PYTHON_6`` and ``TWILIO_PYTHON_7`` write
        the signing time, as those SDKs do, unless ``omit_not_before``.
      omit_not_before: no ``nbf`` at all (twilio-python 6+'s ``nbf=None``);
        not together with ``not_before``.
      region: an optional Twilio region ("us1", "ie1", …), the header's
        ``twr``.

    Raises:
      TypeError, ValueError: an argument of the wrong type.
    """
    for name, value in (("account_sid", account_sid), ("identity", identity)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be str, not {type(value).__name__}")
    if isinstance(grants, (str, bytes, access_token_pb2.AccessGrant)):
        raise TypeError("grants must be a list of AccessGrant, e.g. "
                        "[captoken.voice_grant(incoming_allow=True)]")
    request = access_token_pb2.AccessTokenRequest(
        account_sid=account_sid,
        identity=identity,
        grants=[_grant(g, i) for i, g in enumerate(grants)],
    )
    _set(request, api_key_sid=api_key_sid, region=region)
    if ttl is not None:
        request.ttl.CopyFrom(_duration(ttl))
    if expire_time is not None:
        request.expire_time.CopyFrom(_timestamp(expire_time))
    if not_before is not None:
        request.not_before.CopyFrom(_timestamp(not_before, "not_before"))
    if profile is not None:
        request.profile = _profile(profile)
    if _flag(omit_not_before, "omit_not_before"):
        request.omit_not_before = True
    return request
