"""Python client for captoken, the service that mints Twilio capability
tokens, TaskRouter tokens and Access Tokens.

Example::

    import captoken

    with captoken.TokenClient("127.0.0.1:50051") as client:
        minted = client.mint_capability_token(
            "AC00000000000000000000000000000000",
            [captoken.client_incoming("alice"),
             captoken.client_outgoing("AP89abcdef0123456789abcdef01234567",
                                      params=[("To", "+15551234567")])],
            ttl=600)
        print(minted.token, minted.expire_time)

        access = client.mint_access_token(
            "AC00000000000000000000000000000000", "alice",
            [captoken.voice_grant(incoming_allow=True),
             captoken.video_grant("standup")])

The generated ``captoken.v1`` modules (``capability_pb2``,
``token_service_pb2``, ``token_service_pb2_grpc``) come from
``client/python/build.sh``; they are also importable directly.
"""

try:
    from captoken.v1 import capability_pb2 as _capability_pb2  # noqa: F401
except ImportError as _error:  # pragma: no cover - a setup problem
    raise ImportError(
        "captoken: the generated modules captoken.v1.*_pb2 are missing; run "
        "client/python/build.sh first (needs protoc and grpc_python_plugin)"
    ) from _error

from captoken._access import (
    JsonObject,
    build_access_token_request,
    chat_grant,
    playback_grant,
    sync_grant,
    taskrouter_grant,
    video_grant,
    voice_grant,
)
from captoken._client import (
    AnyRequest,
    MintResult,
    MintedToken,
    TokenClient,
    TokenKind,
    TokenServiceError,
    VerificationFailure,
    VerifyResult,
)
from captoken._taskrouter import (
    Filters,
    TaskRouterPolicySet,
    build_taskrouter_request,
    taskrouter_policy,
)
from captoken._scopes import (
    Params,
    Profile,
    Ttl,
    build_capability_request,
    client_incoming,
    client_outgoing,
    event_stream,
)

__all__ = [
    "AnyRequest",
    "Filters",
    "JsonObject",
    "MintResult",
    "MintedToken",
    "Params",
    "Profile",
    "TaskRouterPolicySet",
    "TokenClient",
    "TokenKind",
    "TokenServiceError",
    "Ttl",
    "VerificationFailure",
    "VerifyResult",
    "build_access_token_request",
    "build_capability_request",
    "build_taskrouter_request",
    "chat_grant",
    "client_incoming",
    "client_outgoing",
    "event_stream",
    "playback_grant",
    "sync_grant",
    "taskrouter_grant",
    "taskrouter_policy",
    "video_grant",
    "voice_grant",
]

__version__ = "0.1.0"
