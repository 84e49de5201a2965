"""TokenClient: the gRPC client for captoken.v1.TokenService."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import math
from typing import Any, Iterable, List, Optional, Sequence, Tuple, Union

import grpc

from captoken._access import build_access_token_request
from captoken._scopes import Profile, Ttl, build_capability_request
from captoken._taskrouter import TaskRouterPolicySet, build_taskrouter_request
from captoken.v1 import (
    access_token_pb2,
    capability_pb2,
    taskrouter_pb2,
    token_service_pb2,
    token_service_pb2_grpc,
)

__all__ = [
    "AnyRequest",
    "MintResult",
    "MintedToken",
    "TokenClient",
    "TokenKind",
    "TokenServiceError",
    "VerificationFailure",
    "VerifyResult",
]

#: A request of any kind: what :meth:`TokenClient.mint` and
#: :meth:`TokenClient.batch_mint` accept.
AnyRequest = Union[capability_pb2.CapabilityRequest,
                   taskrouter_pb2.TaskRouterRequest,
                   access_token_pb2.AccessTokenRequest,
                   token_service_pb2.MintRequest]

# grpc.StatusCode by its numeric value (google.rpc.Code), for BatchMint.
_STATUS_CODES = {code.value[0]: code for code in grpc.StatusCode}

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


class TokenServiceError(Exception):
    """A call to the captoken server failed.

    Attributes:
      code: the :class:`grpc.StatusCode`, e.g. ``INVALID_ARGUMENT`` (a
        malformed field, named in ``details``), ``PERMISSION_DENIED`` (the
        account is not served here), ``RESOURCE_EXHAUSTED`` (request too
        big), ``UNAVAILABLE`` (draining or unreachable: retry),
        ``DEADLINE_EXCEEDED`` (no answer within the client's deadline).
      details: the server's message (never a secret or a token).
    """

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(code, details)
        self.code = code
        self.details = details

    def __str__(self) -> str:
        return f"{self.code.name}: {self.details}"

    @classmethod
    def _from_rpc_error(cls, error: grpc.RpcError) -> "TokenServiceError":
        code = error.code() if hasattr(error, "code") else None
        details = error.details() if hasattr(error, "details") else None
        return cls(code if isinstance(code, grpc.StatusCode)
                   else grpc.StatusCode.UNKNOWN,
                   details or str(error))


class TokenKind(enum.IntEnum):
    """The kind of a token (``captoken.v1.TokenKind``)."""

    UNSPECIFIED = token_service_pb2.TOKEN_KIND_UNSPECIFIED
    #: A Twilio Client capability token.
    CAPABILITY = token_service_pb2.TOKEN_KIND_CAPABILITY
    #: A TaskRouter capability token.
    TASKROUTER = token_service_pb2.TOKEN_KIND_TASKROUTER
    #: An Access Token.
    ACCESS = token_service_pb2.TOKEN_KIND_ACCESS


class VerificationFailure(enum.IntEnum):
    """Why a token is not valid (``captoken.v1.VerificationFailure``)."""

    NONE = token_service_pb2.VERIFICATION_FAILURE_UNSPECIFIED
    MALFORMED = token_service_pb2.VERIFICATION_FAILURE_MALFORMED
    BAD_SIGNATURE = token_service_pb2.VERIFICATION_FAILURE_BAD_SIGNATURE
    UNSUPPORTED_HEADER = token_service_pb2.VERIFICATION_FAILURE_UNSUPPORTED_HEADER
    EXPIRED = token_service_pb2.VERIFICATION_FAILURE_EXPIRED
    NOT_YET_VALID = token_service_pb2.VERIFICATION_FAILURE_NOT_YET_VALID
    WRONG_ACCOUNT = token_service_pb2.VERIFICATION_FAILURE_WRONG_ACCOUNT
    TOO_LARGE = token_service_pb2.VERIFICATION_FAILURE_TOO_LARGE


def _datetime(timestamp) -> _dt.datetime:
    """A protobuf Timestamp as a timezone-aware UTC datetime."""
    return _EPOCH + _dt.timedelta(seconds=timestamp.seconds,
                                  microseconds=timestamp.nanos // 1000)


def _enum_or_int(enum_type, value: int):
    try:
        return enum_type(value)
    except ValueError:  # a value added to the contract after this client
        return value


@dataclasses.dataclass(frozen=True)
class MintedToken:
    """A signed token (capability, TaskRouter or Access Token).

    ``token`` is a bearer credential: it is left out of ``repr()`` so that
    logging the result does not leak it.
    """

    #: The JWT, ready to hand to the Twilio SDK.
    token: str = dataclasses.field(repr=False)
    #: When the token expires (its ``exp`` claim), timezone-aware UTC.
    expire_time: _dt.datetime
    #: When the server signed it, timezone-aware UTC.
    issue_time: _dt.datetime
    #: The profile the server used (never ``Profile.UNSPECIFIED``).
    profile: Union[Profile, int]
    #: First 16 hex digits of the token's SHA-256, as in the server's audit log.
    token_fingerprint: str

    def __str__(self) -> str:
        return self.token

    @classmethod
    def _from_proto(cls, response: capability_pb2.TokenResponse) -> "MintedToken":
        return cls(
            token=response.token,
            expire_time=_datetime(response.expire_time),
            issue_time=_datetime(response.issue_time),
            profile=_enum_or_int(Profile, response.profile),
            token_fingerprint=response.token_fingerprint,
        )


@dataclasses.dataclass(frozen=True)
class VerifyResult:
    """The server's verdict on a token.

    The claims (``account_sid``, ``scopes``, ``expire_time``,
    ``issue_time``, ``taskrouter``, ``access``) are filled whenever the
    signature verified, even when the token has expired; they are
    empty/``None`` otherwise. ``kind`` says which kind of token it is.
    """

    #: True only when the signature, the header and the time checks pass.
    valid: bool
    #: Why the token is not valid; ``VerificationFailure.NONE`` when valid.
    failure: Union[VerificationFailure, int]
    #: The account (``iss``), or "".
    account_sid: str
    #: The scopes parsed from the token, in token order.
    scopes: Tuple[capability_pb2.CapabilityScope, ...]
    #: ``exp``, or None.
    expire_time: Optional[_dt.datetime]
    #: ``iat`` (node-profile tokens have one), or None.
    issue_time: Optional[_dt.datetime]
    #: The token's kind, when it could be read.
    kind: Union[TokenKind, int] = TokenKind.UNSPECIFIED
    #: A TaskRouter token's claims (workspace_sid, channel_id, version,
    #: friendly_name, policies), or None.
    taskrouter: Optional[token_service_pb2.TaskRouterClaims] = None
    #: An Access Token's claims (api_key_sid, token_id, identity, grants,
    #: region, not_before), or None.
    access: Optional[token_service_pb2.AccessTokenClaims] = None

    def __bool__(self) -> bool:
        return self.valid

    @classmethod
    def _from_proto(cls, response: token_service_pb2.VerifyTokenResponse
                    ) -> "VerifyResult":
        return cls(
            valid=response.valid,
            failure=_enum_or_int(VerificationFailure, response.failure),
            account_sid=response.account_sid,
            scopes=tuple(response.scopes),
            expire_time=(_datetime(response.expire_time)
                         if response.HasField("expire_time") else None),
            issue_time=(_datetime(response.issue_time)
                        if response.HasField("issue_time") else None),
            kind=_enum_or_int(TokenKind, response.kind),
            taskrouter=(response.taskrouter
                        if response.HasField("taskrouter") else None),
            access=response.access if response.HasField("access") else None,
        )


@dataclasses.dataclass(frozen=True)
class MintResult:
    """One item of :meth:`TokenClient.batch_mint`: a status, and the token if
    the item succeeded.

    ``code`` and ``message`` are what the single-token call would have
    raised as a :class:`TokenServiceError`.
    """

    #: ``grpc.StatusCode.OK``, or the item's error (``INVALID_ARGUMENT``, …).
    code: grpc.StatusCode
    #: The server's message (names the field); "" when OK.
    message: str
    #: The token when ``code`` is OK, else None.
    token: Optional[MintedToken]

    @property
    def ok(self) -> bool:
        return self.code is grpc.StatusCode.OK

    def __bool__(self) -> bool:
        return self.ok

    @property
    def error(self) -> Optional[TokenServiceError]:
        """The item's failure as a :class:`TokenServiceError`, or None."""
        return None if self.ok else TokenServiceError(self.code, self.message)

    def unwrap(self) -> MintedToken:
        """The token; raises the item's :class:`TokenServiceError` if it
        failed."""
        if not self.ok:
            raise TokenServiceError(self.code, self.message)
        assert self.token is not None
        return self.token

    @classmethod
    def _from_proto(cls, result: token_service_pb2.MintResult) -> "MintResult":
        code = _STATUS_CODES.get(result.code, grpc.StatusCode.UNKNOWN)
        if code is grpc.StatusCode.OK and not result.HasField("token"):
            return cls(code=grpc.StatusCode.INTERNAL,
                       message="the server's result has code 0 and no token",
                       token=None)
        return cls(
            code=code,
            message=result.message,
            token=(MintedToken._from_proto(result.token)
                   if code is grpc.StatusCode.OK else None),
        )


def _mint_request(request: AnyRequest, index: int) -> token_service_pb2.MintRequest:
    if isinstance(request, token_service_pb2.MintRequest):
        return request
    if isinstance(request, capability_pb2.CapabilityRequest):
        return token_service_pb2.MintRequest(capability=request)
    if isinstance(request, taskrouter_pb2.TaskRouterRequest):
        return token_service_pb2.MintRequest(taskrouter=request)
    if isinstance(request, access_token_pb2.AccessTokenRequest):
        return token_service_pb2.MintRequest(access=request)
    raise TypeError(f"requests[{index}] must be a CapabilityRequest, "
                    "TaskRouterRequest, AccessTokenRequest or MintRequest "
                    "(see captoken.build_*_request), not "
                    f"{type(request).__name__}")


def _check_deadline(deadline: float) -> float:
    if isinstance(deadline, bool) or not isinstance(deadline, (int, float)):
        raise TypeError("deadline must be a number of seconds")
    if not (deadline > 0 and math.isfinite(deadline)):
        raise ValueError("deadline must be positive and finite, got "
                         f"{deadline!r}")
    return float(deadline)


class TokenClient:
    """Calls a captoken server (``captoken.v1.TokenService``).

    A client owns one gRPC channel and stub: create it once and share it
    (it is thread-safe), and close it when done, or use it as a context
    manager::

        with captoken.TokenClient("127.0.0.1:50051") as client:
            minted = client.mint_capability_token(
                "AC00000000000000000000000000000000",
                [captoken.client_incoming("alice")])
            print(minted.token)

    Every call carries a deadline, so a server that does not answer costs
    the caller at most ``deadline`` seconds. Failures raise
    :class:`TokenServiceError` with the gRPC status code and message.
    """

    def __init__(
        self,
        target: str,
        *,
        deadline: float = 5.0,
        credentials: Optional[grpc.ChannelCredentials] = None,
        channel_options: Sequence[Tuple[str, Any]] = (),
    ) -> None:
        """Connects (lazily) to ``target``.

        Args:
          target: a gRPC target such as ``"127.0.0.1:50051"`` or
            ``"dns:///captoken.internal:443"``.
          deadline: how long each call may take, in seconds.
          credentials: channel credentials (e.g.
            ``grpc.ssl_channel_credentials()``); ``None`` means plaintext,
            for loopback and service-mesh sidecars.
          channel_options: extra gRPC channel arguments.

        Raises:
          ValueError: an empty target or a deadline that is not positive
            and finite.
        """
        if not isinstance(target, str) or not target:
            raise ValueError("target must be a non-empty gRPC target, e.g. "
                             "'127.0.0.1:50051'")
        self._deadline = _check_deadline(deadline)
        options = list(channel_options)
        if credentials is None:
            channel = grpc.insecure_channel(target, options=options)
        else:
            channel = grpc.secure_channel(target, credentials, options=options)
        self._init(channel)

    @classmethod
    def from_channel(cls, channel: grpc.Channel, *,
                     deadline: float = 5.0) -> "TokenClient":
        """Wraps an existing channel (for interceptors, tests, custom setups).

        The client takes ownership: :meth:`close` closes ``channel``.
        """
        client = cls.__new__(cls)
        client._deadline = _check_deadline(deadline)
        client._init(channel)
        return client

    def _init(self, channel: grpc.Channel) -> None:
        self._channel: Optional[grpc.Channel] = channel
        self._stub = token_service_pb2_grpc.TokenServiceStub(channel)

    @property
    def deadline(self) -> float:
        """Seconds each call may take."""
        return self._deadline

    def _call(self, method, request):
        if self._channel is None:
            raise ValueError("TokenClient is closed")
        try:
            return method(request, timeout=self._deadline)
        except grpc.RpcError as error:
            raise TokenServiceError._from_rpc_error(error) from None

    def mint(self, request: Union[capability_pb2.CapabilityRequest,
                                  taskrouter_pb2.TaskRouterRequest,
                                  access_token_pb2.AccessTokenRequest]
             ) -> MintedToken:
        """Sends a ready-made ``captoken.v1.CapabilityRequest``,
        ``TaskRouterRequest`` or ``AccessTokenRequest`` to the matching RPC.

        Raises:
          TokenServiceError: the call failed (see the class for the codes).
          TypeError: another type of message.
        """
        if isinstance(request, capability_pb2.CapabilityRequest):
            method = self._stub.MintCapabilityToken
        elif isinstance(request, taskrouter_pb2.TaskRouterRequest):
            method = self._stub.MintTaskRouterToken
        elif isinstance(request, access_token_pb2.AccessTokenRequest):
            method = self._stub.MintAccessToken
        else:
            raise TypeError("request must be a CapabilityRequest, "
                            "TaskRouterRequest or AccessTokenRequest, not "
                            f"{type(request).__name__}")
        return MintedToken._from_proto(self._call(method, request))

    def mint_capability_token(
        self,
        account_sid: str,
        scopes: Iterable[capability_pb2.CapabilityScope],
        *,
        ttl: Optional[Ttl] = None,
        expire_time: Optional[_dt.datetime] = None,
        profile: Union[Profile, int, str, None] = None,
        omit_not_before: bool = False,
    ) -> MintedToken:
        """Asks the server to sign a Twilio Client capability token.

        Args:
          account_sid: the Twilio account SID ("AC" and 32 hex digits).
          scopes: the capabilities, in order, e.g.
            ``[client_incoming("alice"), client_outgoing("AP...",
            params=[("To", "+15551234567")])]``.
          ttl: lifetime from signing, as a ``timedelta`` or whole seconds
            (default: the server's, 3600 s).
          expire_time: a timezone-aware absolute expiry instead of ``ttl``.
          profile: :attr:`Profile.TWILIO_PYTHON` (5.x),
            :attr:`Profile.TWILIO_PYTHON_6`, :attr:`Profile.TWILIO_PYTHON_7`
            (7.x to 9.x) or :attr:`Profile.TWILIO_NODE` (default: the
            server's).
          omit_not_before: no ``nbf`` in the twilio-python 6/7 profiles
            (their ``nbf=None``); see :func:`build_capability_request`.

        Returns:
          The token with its expiry and issue times.

        Raises:
          TokenServiceError: ``INVALID_ARGUMENT`` (the message names the
            field), ``PERMISSION_DENIED``, ``DEADLINE_EXCEEDED``, ...
          TypeError, ValueError: arguments of the wrong Python type.
        """
        return self.mint(build_capability_request(
            account_sid, scopes, ttl=ttl, expire_time=expire_time,
            profile=profile, omit_not_before=omit_not_before))

    def mint_taskrouter_token(
        self,
        account_sid: str,
        workspace_sid: str,
        channel_id: str,
        *,
        policy_sets: Iterable[Union[TaskRouterPolicySet, int, str]] = (),
        policies: Iterable[taskrouter_pb2.TaskRouterPolicy] = (),
        friendly_name: Optional[str] = None,
        version: Optional[str] = None,
        ttl: Optional[Ttl] = None,
        expire_time: Optional[_dt.datetime] = None,
        profile: Union[Profile, int, str, None] = None,
        omit_not_before: bool = False,
    ) -> MintedToken:
        """Asks the server to sign a TaskRouter capability token (with the
        account's auth token) for a worker, task queue or workspace channel.

        The arguments are those of :func:`captoken.build_taskrouter_request`,
        e.g.::

            client.mint_taskrouter_token(
                "AC…", "WS…", "WK…",
                policy_sets=[captoken.TaskRouterPolicySet.PYTHON_DEFAULTS,
                             captoken.TaskRouterPolicySet.UPDATE_ACTIVITIES])

        Raises:
          TokenServiceError: ``INVALID_ARGUMENT`` (the message names the
            field, e.g. ``channel_id``; also a deny policy under the node
            profile), ``PERMISSION_DENIED``, ``DEADLINE_EXCEEDED``, ...
          TypeError, ValueError: arguments of the wrong Python type.
        """
        return self.mint(build_taskrouter_request(
            account_sid, workspace_sid, channel_id, policy_sets=policy_sets,
            policies=policies, friendly_name=friendly_name, version=version,
            ttl=ttl, expire_time=expire_time, profile=profile,
            omit_not_before=omit_not_before))

    def mint_access_token(
        self,
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
    ) -> MintedToken:
        """Asks the server to sign an Access Token (with one of the
        account's API keys).

        The arguments are those of
        :func:`captoken.build_access_token_request`, e.g.::

            client.mint_access_token(
                "AC…", "alice",
                [captoken.voice_grant(incoming_allow=True),
                 captoken.video_grant("standup")],
                ttl=600)

        Raises:
          TokenServiceError: ``INVALID_ARGUMENT`` (the message names the
            field, e.g. ``grants[0].voice.outgoing_application_sid``),
            ``PERMISSION_DENIED`` (account or API key not served here, or a
            grant the caller may not request), ``DEADLINE_EXCEEDED``, ...
          TypeError, ValueError: arguments of the wrong Python type.
        """
        return self.mint(build_access_token_request(
            account_sid, identity, grants, api_key_sid=api_key_sid, ttl=ttl,
            expire_time=expire_time, not_before=not_before, region=region,
            profile=profile, omit_not_before=omit_not_before))

    def batch_mint(self, requests: Iterable[AnyRequest]) -> List[MintResult]:
        """Mints several tokens of any kinds in one call.

        Args:
          requests: ``CapabilityRequest``, ``TaskRouterRequest`` and
            ``AccessTokenRequest`` messages (see the ``build_*_request``
            helpers) or ready ``MintRequest``s, in order. At most the
            server's batch limit (100 by default).

        Returns:
          One :class:`MintResult` per request, in request order. A failed
          item does not raise: its result has the code and message the
          single-token call would have raised, and no token. Each item
          counts against the caller's rate: one over it gets
          ``RESOURCE_EXHAUSTED`` and the items before it keep their tokens.

        Raises:
          TokenServiceError: only for the whole call: ``INVALID_ARGUMENT``
            for an empty or too large batch, ``UNAUTHENTICATED``,
            ``PERMISSION_DENIED`` for a caller no policy names,
            ``RESOURCE_EXHAUSTED`` for a request over the server's size
            limit, ``DEADLINE_EXCEEDED``, ...
          TypeError: a request that is not one of those messages.
        """
        if isinstance(requests, (str, bytes)) or not isinstance(requests, Iterable):
            raise TypeError("requests must be a list of requests")
        request = token_service_pb2.BatchMintRequest(
            requests=[_mint_request(r, i) for i, r in enumerate(requests)])
        response = self._call(self._stub.BatchMint, request)
        results = [MintResult._from_proto(r) for r in response.results]
        if len(results) != len(request.requests):
            raise TokenServiceError(
                grpc.StatusCode.INTERNAL,
                f"the server returned {len(results)} results for "
                f"{len(request.requests)} requests")
        return results

    def verify_token(self, token: str,
                     account_sid: Optional[str] = None) -> VerifyResult:
        """Asks the server to check a token of any kind against the secret
        that should have signed it (the account's auth token, or for an
        Access Token the API key it names).

        A token that does not verify is not an error: the result has
        ``valid`` False and a ``failure`` reason.

        Args:
          token: the compact JWT.
          account_sid: the account the token must belong to; by default the
            one named in the token (the signature then proves it).

        Raises:
          TokenServiceError: e.g. ``INVALID_ARGUMENT`` for an empty token,
            ``PERMISSION_DENIED`` for an account not served here.
        """
        request = token_service_pb2.VerifyTokenRequest(token=token)
        if account_sid is not None:
            request.account_sid = account_sid
        return VerifyResult._from_proto(
            self._call(self._stub.VerifyToken, request))

    def close(self) -> None:
        """Closes the channel. Safe to call more than once."""
        channel, self._channel = self._channel, None
        if channel is not None:
            channel.close()

    def __enter__(self) -> "TokenClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._channel is None else "open"
        return f"<TokenClient {state} deadline={self._deadline}s>"
