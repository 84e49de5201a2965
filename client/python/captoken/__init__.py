"""Python client for captoken, the service that mints Twilio capability tokens.

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

from captoken._client import (
    MintedToken,
    TokenClient,
    TokenServiceError,
    VerificationFailure,
    VerifyResult,
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
    "MintedToken",
    "Params",
    "Profile",
    "TokenClient",
    "TokenServiceError",
    "Ttl",
    "VerificationFailure",
    "VerifyResult",
    "build_capability_request",
    "client_incoming",
    "client_outgoing",
    "event_stream",
]

__version__ = "0.1.0"
