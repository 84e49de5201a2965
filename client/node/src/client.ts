/**
 * TokenClient: a thin, promise-based wrapper over the generated grpc-js stub
 * of `captoken.v1.TokenService`.
 */
import {
  credentials as grpcCredentials,
  Metadata,
  status,
  type CallOptions as GrpcCallOptions,
  type ChannelCredentials,
  type ClientOptions,
  type ClientUnaryCall,
  type ServiceError,
} from "@grpc/grpc-js";

import type { AccessGrant, AccessTokenRequest } from "./gen/captoken/v1/access_token";
import type { Duration } from "./gen/google/protobuf/duration";
import {
  CapabilityRequest,
  type CapabilityScope,
  Profile,
  profileFromJSON,
  type TokenResponse,
} from "./gen/captoken/v1/capability";
import {
  type TaskRouterPolicy,
  TaskRouterPolicySet,
  taskRouterPolicySetFromJSON,
  type TaskRouterRequest,
} from "./gen/captoken/v1/taskrouter";
import {
  type AccessTokenClaims,
  type BatchMintResponse,
  type MintRequest,
  type TaskRouterClaims,
  TokenKind,
  tokenKindToJSON,
  TokenServiceClient,
  VerificationFailure,
  verificationFailureToJSON,
  type VerifyTokenResponse,
} from "./gen/captoken/v1/token_service";
import { statusName, TokenServiceError } from "./errors";

/** The default per-call deadline: 5 s. */
export const DEFAULT_DEADLINE_MS = 5000;

/** Options of the {@link TokenClient} constructor. */
export interface TokenClientOptions {
  /** How long each call may take, in milliseconds (default 5000). */
  deadlineMs?: number;
  /**
   * Channel credentials, e.g. `credentials.createSsl(...)` for TLS or mutual
   * TLS. Default: plaintext, which the server accepts on loopback and behind
   * a mesh sidecar.
   */
  credentials?: ChannelCredentials;
  /** grpc-js channel options (`grpc.keepalive_time_ms`, ...). */
  channelOptions?: Partial<ClientOptions>;
}

/** Per-call options. */
export interface CallOptions {
  /** Overrides the client's deadline for this call, in milliseconds. */
  deadlineMs?: number;
  /** Cancels the call (it then rejects with `CANCELLED`). */
  signal?: AbortSignal;
  /** Extra request metadata (headers). */
  metadata?: Metadata;
}

/** A profile, as the enum value or its name. */
export type ProfileInput =
  | Profile
  | "PROFILE_UNSPECIFIED"
  | "PROFILE_TWILIO_PYTHON"
  | "PROFILE_TWILIO_NODE"
  | "PROFILE_TWILIO_PYTHON_6"
  | "PROFILE_TWILIO_PYTHON_7";

/** What {@link TokenClient.mintCapabilityToken} asks for. */
export interface MintCapabilityTokenRequest {
  /** The Twilio account SID ("AC" + 32 hex digits): the token's `iss`. */
  accountSid: string;
  /**
   * The capabilities, in order; build them with `clientIncoming`,
   * `clientOutgoing` and `eventStream`. May be empty.
   */
  scopes: readonly CapabilityScope[];
  /**
   * Lifetime from the moment the server signs, in whole seconds (> 0, at
   * most the server's cap). Default (and with no `expireTime`): 3600 s.
   */
  ttlSeconds?: number;
  /** Absolute expiry instead of `ttlSeconds` (whole seconds; not both). */
  expireTime?: Date;
  /**
   * Whose bytes to reproduce: `Profile.PROFILE_TWILIO_PYTHON` (twilio-python
   * 5.x), `PROFILE_TWILIO_PYTHON_6` (6.x), `PROFILE_TWILIO_PYTHON_7` (7.x to
   * 9.x) or `PROFILE_TWILIO_NODE` (twilio-node 3.x to 6.x), or their names.
   * Default: the server's.
   */
  profile?: ProfileInput;
  /**
   * Write no `nbf`: twilio-python 6+'s `nbf=None`. The `PROFILE_TWILIO_PYTHON_6`
   * and `_7` profiles write the signing time by default, as those SDKs do;
   * the others never write one. Default false.
   */
  omitNotBefore?: boolean;
}

/** A TaskRouter policy set, as the enum value or its name. */
export type TaskRouterPolicySetInput = TaskRouterPolicySet | keyof typeof TaskRouterPolicySet;

/** What {@link TokenClient.mintTaskRouterToken} asks for. */
export interface MintTaskRouterTokenRequest {
  /** The Twilio account SID ("AC" + 32 hex digits): `iss` and `account_sid`. */
  accountSid: string;
  /** The workspace ("WS" + 32 hex digits). */
  workspaceSid: string;
  /** Whose channel: a worker ("WK…"), a task queue ("WQ…") or the workspace ("WS…"). */
  channelId: string;
  /**
   * Standard policy sets the server adds first, in order, e.g.
   * `[TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS]` for what
   * twilio-python adds by itself. Default none, as twilio-node.
   */
  policySets?: readonly TaskRouterPolicySetInput[];
  /** Further policies, in order; build them with `taskRouterPolicy`. */
  policies?: readonly TaskRouterPolicy[];
  /** Optional; the python profiles write the channel id when it is not given. */
  friendlyName?: string;
  /** The API version claim; default "v1". */
  version?: string;
  /** Lifetime in whole seconds, as for capability tokens (default 3600). */
  ttlSeconds?: number;
  /** Absolute expiry instead of `ttlSeconds`. */
  expireTime?: Date;
  /** Whose bytes to reproduce; default: the server's. */
  profile?: ProfileInput;
  /** No `nbf`, as for capability tokens (twilio-python 6+'s `nbf=None`). */
  omitNotBefore?: boolean;
}

/** What {@link TokenClient.mintAccessToken} asks for. */
export interface MintAccessTokenRequest {
  /** The Twilio account SID ("AC" + 32 hex digits): the token's `sub`. */
  accountSid: string;
  /** Who the token is for. */
  identity: string;
  /**
   * The grants, in order: `voiceGrant`, `chatGrant`, `videoGrant`,
   * `syncGrant`, `taskRouterGrant`, `playbackGrant`. A later grant of a kind
   * replaces an earlier one in its place.
   */
  grants?: readonly AccessGrant[];
  /** Which of the account's API keys ("SK…") signs; default: the server's first that may sign. */
  apiKeySid?: string;
  /** Lifetime in whole seconds (default 3600, at most 24 h). */
  ttlSeconds?: number;
  /** Absolute expiry instead of `ttlSeconds`. */
  expireTime?: Date;
  /**
   * Optional `nbf` (whole seconds). Without it the twilio-python 6.x and
   * 7.x-9.x profiles write the signing time, unless `omitNotBefore`.
   */
  notBefore?: Date;
  /** Optional Twilio region ("us1", "ie1", …): the header's `twr`. */
  region?: string;
  /** Whose bytes to reproduce; default: the server's. */
  profile?: ProfileInput;
  /** No `nbf` at all (twilio-python 6+'s `nbf=None`); not with `notBefore`. */
  omitNotBefore?: boolean;
}

/**
 * One item of {@link TokenClient.batchMint}: exactly one of `capability`,
 * `taskRouter` or `access`, each what the single call takes.
 */
export type BatchMintItem =
  | { capability: MintCapabilityTokenRequest; taskRouter?: never; access?: never }
  | { taskRouter: MintTaskRouterTokenRequest; capability?: never; access?: never }
  | { access: MintAccessTokenRequest; capability?: never; taskRouter?: never };

/** The outcome of one item of {@link TokenClient.batchMint}. */
export interface BatchMintResult {
  /** True when the item was signed (`code` is OK). */
  ok: boolean;
  /** `Status.OK`, or what the single call would have rejected with. */
  code: status;
  /** `code`'s name, e.g. `"INVALID_ARGUMENT"`. */
  codeName: string;
  /** The server's message (names the field); "" when OK. */
  message: string;
  /** The token, when `ok`. */
  token?: MintedToken;
  /** The item's failure as a {@link TokenServiceError}, when not `ok`. */
  error?: TokenServiceError;
}

/** A signed token (capability, TaskRouter or Access Token). */
export interface MintedToken {
  /** The JWT, ready to hand to the Twilio SDK. */
  token: string;
  /** When it expires (its `exp` claim). */
  expireTime: Date;
  /** When the server signed it (`iat` for the node profile, `nbf` for python 6/7). */
  issueTime: Date;
  /** The profile actually used (never PROFILE_UNSPECIFIED). */
  profile: Profile;
  /** The first 16 hex digits of the token's SHA-256, as in the server's audit log. */
  tokenFingerprint: string;
}

/** The verdict of {@link TokenClient.verifyToken}. */
export interface VerifyResult {
  /** True only when the signature, the header and the time checks all pass. */
  valid: boolean;
  /** Why not; `VERIFICATION_FAILURE_UNSPECIFIED` when valid. */
  failure: VerificationFailure;
  /** `failure`'s name, e.g. `"VERIFICATION_FAILURE_EXPIRED"`. */
  failureName: string;
  /** The claims below are set whenever the signature verified. The `iss`. */
  accountSid: string;
  /** The scopes parsed from the token, in token order. */
  scopes: CapabilityScope[];
  /** `exp`. */
  expireTime?: Date;
  /** `iat`, when the token has one (node-profile tokens do). */
  issueTime?: Date;
  /** The token's kind, when it could be read. */
  kind: TokenKind;
  /** `kind`'s name, e.g. `"TOKEN_KIND_ACCESS"`. */
  kindName: string;
  /** A TaskRouter token's claims (workspace, channel, version, friendly name, policies). */
  taskRouter?: TaskRouterClaims;
  /** An Access Token's claims (API key, token id, identity, grants, region, nbf). */
  access?: AccessTokenClaims;
}

/**
 * Builds the `captoken.v1.CapabilityRequest` message that
 * {@link TokenClient.mintCapabilityToken} sends. Its proto3 JSON form is
 * `CapabilityRequest.toJSON(buildCapabilityRequest(...))`, which the
 * `captoken sign capability --request=...` command accepts.
 *
 * Throws a {@link TokenServiceError} with `INVALID_ARGUMENT` for values that
 * cannot be put on the wire (a non-finite ttl, an invalid Date, an unknown
 * profile); everything else is checked by the server.
 */
export function buildCapabilityRequest(request: MintCapabilityTokenRequest): CapabilityRequest {
  if (request === null || typeof request !== "object") {
    throw invalid("request: expected an object");
  }
  const message: CapabilityRequest = {
    accountSid: request.accountSid,
    scopes: [...(request.scopes ?? [])],
    ttl: toDuration(request.ttlSeconds),
    expireTime: toDate(request.expireTime, "expire_time"),
    profile: toProfile(request.profile),
    omitNotBefore: toFlag(request.omitNotBefore, "omit_not_before"),
  };
  if (typeof message.accountSid !== "string") throw invalid("account_sid: expected a string");
  return message;
}

/**
 * Builds the `captoken.v1.TaskRouterRequest` that
 * {@link TokenClient.mintTaskRouterToken} sends; `TaskRouterRequest.toJSON`
 * of it is what `captoken sign taskrouter --request=...` accepts. Throws
 * like {@link buildCapabilityRequest}.
 */
export function buildTaskRouterRequest(request: MintTaskRouterTokenRequest): TaskRouterRequest {
  if (request === null || typeof request !== "object") {
    throw invalid("request: expected an object");
  }
  const message: TaskRouterRequest = {
    accountSid: request.accountSid,
    workspaceSid: request.workspaceSid,
    channelId: request.channelId,
    friendlyName: request.friendlyName ?? "",
    version: request.version ?? "",
    policySets: [...(request.policySets ?? [])].map((set) => {
      const value = taskRouterPolicySetFromJSON(set);
      if (value === TaskRouterPolicySet.UNRECOGNIZED) throw invalid(`policy_sets: unknown policy set ${String(set)}`);
      return value;
    }),
    policies: [...(request.policies ?? [])],
    ttl: toDuration(request.ttlSeconds),
    expireTime: toDate(request.expireTime, "expire_time"),
    profile: toProfile(request.profile),
    omitNotBefore: toFlag(request.omitNotBefore, "omit_not_before"),
  };
  for (const field of ["accountSid", "workspaceSid", "channelId", "friendlyName", "version"] as const) {
    if (typeof message[field] !== "string") throw invalid(`${snake(field)}: expected a string`);
  }
  return message;
}

/**
 * Builds the `captoken.v1.AccessTokenRequest` that
 * {@link TokenClient.mintAccessToken} sends; `AccessTokenRequest.toJSON` of
 * it is what `captoken sign access --request=...` accepts. Throws like
 * {@link buildCapabilityRequest}.
 */
export function buildAccessTokenRequest(request: MintAccessTokenRequest): AccessTokenRequest {
  if (request === null || typeof request !== "object") {
    throw invalid("request: expected an object");
  }
  const message: AccessTokenRequest = {
    accountSid: request.accountSid,
    apiKeySid: request.apiKeySid ?? "",
    identity: request.identity,
    grants: [...(request.grants ?? [])],
    ttl: toDuration(request.ttlSeconds),
    expireTime: toDate(request.expireTime, "expire_time"),
    notBefore: toDate(request.notBefore, "not_before"),
    region: request.region ?? "",
    profile: toProfile(request.profile),
    omitNotBefore: toFlag(request.omitNotBefore, "omit_not_before"),
  };
  for (const field of ["accountSid", "apiKeySid", "identity", "region"] as const) {
    if (typeof message[field] !== "string") throw invalid(`${snake(field)}: expected a string`);
  }
  return message;
}

function toDuration(ttl: number | undefined): Duration | undefined {
  if (ttl === undefined) return undefined;
  if (typeof ttl !== "number" || !Number.isFinite(ttl)) {
    throw invalid("ttl: must be a finite number of seconds");
  }
  const seconds = Math.trunc(ttl);
  // Fractions are sent as they are; the server refuses them.
  return { seconds, nanos: Math.round((ttl - seconds) * 1e9) };
}

function toDate(when: Date | undefined, field: string): Date | undefined {
  if (when === undefined) return undefined;
  if (!(when instanceof Date) || Number.isNaN(when.getTime())) {
    throw invalid(`${field}: must be a valid Date`);
  }
  return new Date(when.getTime());
}

function toFlag(flag: boolean | undefined, field: string): boolean {
  if (flag === undefined) return false;
  if (typeof flag !== "boolean") throw invalid(`${field}: expected a boolean`);
  return flag;
}

function toProfile(profile: ProfileInput | undefined): Profile {
  if (profile === undefined) return Profile.PROFILE_UNSPECIFIED;
  const value = profileFromJSON(profile);
  if (value === Profile.UNRECOGNIZED) throw invalid("profile: unknown profile");
  return value;
}

function snake(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function toMintRequest(item: BatchMintItem, index: number): MintRequest {
  if (item === null || typeof item !== "object") throw invalid(`requests[${index}]: expected an object`);
  const kinds = (["capability", "taskRouter", "access"] as const).filter((k) => item[k] !== undefined);
  if (kinds.length !== 1) {
    throw invalid(`requests[${index}]: set exactly one of capability, taskRouter and access`);
  }
  if (item.capability !== undefined) {
    return { request: { $case: "capability", value: buildCapabilityRequest(item.capability) } };
  }
  if (item.taskRouter !== undefined) {
    return { request: { $case: "taskrouter", value: buildTaskRouterRequest(item.taskRouter) } };
  }
  return { request: { $case: "access", value: buildAccessTokenRequest(item.access!) } };
}

function toMintedToken(response: TokenResponse): MintedToken {
  if (response.expireTime === undefined || response.issueTime === undefined) {
    throw new TokenServiceError(status.INTERNAL, "the server's response lacks expire_time or issue_time");
  }
  return {
    token: response.token,
    expireTime: response.expireTime,
    issueTime: response.issueTime,
    profile: response.profile,
    tokenFingerprint: response.tokenFingerprint,
  };
}

/**
 * A client of one captoken server. It owns one gRPC channel (connected
 * lazily): create it once, share it, and {@link close} it when done. Every
 * call carries a deadline, and every failure rejects with a
 * {@link TokenServiceError}.
 *
 * ```ts
 * const client = new TokenClient("127.0.0.1:50051");
 * const { token } = await client.mintCapabilityToken({
 *   accountSid: "AC...",
 *   scopes: [clientIncoming("alice")],
 *   ttlSeconds: 600,
 * });
 * client.close();
 * ```
 */
export class TokenClient {
  /** The gRPC target, e.g. `"127.0.0.1:50051"` or `"dns:///captoken.internal:443"`. */
  readonly address: string;
  /** The default per-call deadline, in milliseconds. */
  readonly deadlineMs: number;
  private readonly client: TokenServiceClient;
  private closed = false;

  constructor(address: string, options: TokenClientOptions = {}) {
    if (typeof address !== "string" || address === "") {
      throw new TypeError("TokenClient: address must be a non-empty gRPC target");
    }
    const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    checkDeadline(deadlineMs);
    this.address = address;
    this.deadlineMs = deadlineMs;
    this.client = new TokenServiceClient(
      address,
      options.credentials ?? grpcCredentials.createInsecure(),
      options.channelOptions,
    );
  }

  /**
   * The generated grpc-js stub, for RPCs this wrapper does not cover. Calls
   * made on it directly carry no deadline unless given one.
   */
  get stub(): TokenServiceClient {
    return this.client;
  }

  /**
   * Asks the server to sign a capability token.
   *
   * Rejects with a {@link TokenServiceError}: `INVALID_ARGUMENT` (the
   * message names the field), `PERMISSION_DENIED` (unknown account, or not
   * permitted), `DEADLINE_EXCEEDED`, `UNAVAILABLE` (retryable), ...
   */
  async mintCapabilityToken(request: MintCapabilityTokenRequest, options: CallOptions = {}): Promise<MintedToken> {
    const message = buildCapabilityRequest(request);
    const response = await this.unary<TokenResponse>(options, (md, opts, cb) =>
      this.client.mintCapabilityToken(message, md, opts, cb),
    );
    return toMintedToken(response);
  }

  /**
   * Asks the server to sign a TaskRouter capability token (with the
   * account's auth token) for a worker, task queue or workspace channel.
   *
   * ```ts
   * await client.mintTaskRouterToken({
   *   accountSid: "AC…", workspaceSid: "WS…", channelId: "WK…",
   *   policySets: ["TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS"],
   * });
   * ```
   *
   * Rejects with a {@link TokenServiceError} as {@link mintCapabilityToken}
   * does; a deny policy under the node profile is `INVALID_ARGUMENT`.
   */
  async mintTaskRouterToken(request: MintTaskRouterTokenRequest, options: CallOptions = {}): Promise<MintedToken> {
    const message = buildTaskRouterRequest(request);
    const response = await this.unary<TokenResponse>(options, (md, opts, cb) =>
      this.client.mintTaskRouterToken(message, md, opts, cb),
    );
    return toMintedToken(response);
  }

  /**
   * Asks the server to sign an Access Token (with one of the account's API
   * keys).
   *
   * ```ts
   * await client.mintAccessToken({
   *   accountSid: "AC…", identity: "alice",
   *   grants: [voiceGrant({ incomingAllow: true }), videoGrant("standup")],
   * });
   * ```
   *
   * Rejects with a {@link TokenServiceError} as {@link mintCapabilityToken}
   * does; an API key or grant the caller may not use is `PERMISSION_DENIED`.
   */
  async mintAccessToken(request: MintAccessTokenRequest, options: CallOptions = {}): Promise<MintedToken> {
    const message = buildAccessTokenRequest(request);
    const response = await this.unary<TokenResponse>(options, (md, opts, cb) =>
      this.client.mintAccessToken(message, md, opts, cb),
    );
    return toMintedToken(response);
  }

  /**
   * Signs several tokens of any kinds in one call and resolves with one
   * {@link BatchMintResult} per item, in order. An item that fails does not
   * reject: its result carries the code and message the single call would
   * have rejected with (each item counts against the caller's rate: one over
   * it gets `RESOURCE_EXHAUSTED`, and the items before it keep their tokens).
   * The call rejects only as a whole: `INVALID_ARGUMENT` for an empty or too
   * large batch (the server's limit, 100 by default), `UNAUTHENTICATED`,
   * `PERMISSION_DENIED` for a caller no policy names, `RESOURCE_EXHAUSTED`
   * for a request over the server's size limit, `DEADLINE_EXCEEDED`, ...
   *
   * ```ts
   * const [a, b] = await client.batchMint([
   *   { access: { accountSid, identity: "alice", grants: [videoGrant()] } },
   *   { taskRouter: { accountSid, workspaceSid, channelId: workerSid } },
   * ]);
   * if (a.ok) use(a.token!.token);
   * ```
   */
  async batchMint(items: readonly BatchMintItem[], options: CallOptions = {}): Promise<BatchMintResult[]> {
    if (!Array.isArray(items)) throw invalid("requests: expected an array");
    const requests = items.map(toMintRequest);
    const response = await this.unary<BatchMintResponse>(options, (md, opts, cb) =>
      this.client.batchMint({ requests }, md, opts, cb),
    );
    if (response.results.length !== requests.length) {
      throw new TokenServiceError(
        status.INTERNAL,
        `the server returned ${response.results.length} results for ${requests.length} requests`,
      );
    }
    return response.results.map((result): BatchMintResult => {
      const code = result.code as status;
      if (code === status.OK) {
        if (result.token === undefined) {
          const message = "the server's result has code 0 and no token";
          const error = new TokenServiceError(status.INTERNAL, message);
          return { ok: false, code: status.INTERNAL, codeName: "INTERNAL", message, error };
        }
        return { ok: true, code, codeName: "OK", message: "", token: toMintedToken(result.token) };
      }
      return {
        ok: false,
        code,
        codeName: statusName(code),
        message: result.message,
        error: new TokenServiceError(code, result.message),
      };
    });
  }

  /**
   * Asks the server to check a token of any kind (against the account's auth
   * token, or for an Access Token the API key it names), optionally
   * requiring that it belong to `accountSid`. A token that does not verify resolves with `valid: false`
   * and a `failure` reason; the call rejects only for a malformed request or
   * an account the caller may not use.
   */
  async verifyToken(token: string, accountSid?: string, options: CallOptions = {}): Promise<VerifyResult> {
    if (typeof token !== "string") throw invalid("token: expected a string");
    const message = { token, accountSid: accountSid ?? "" };
    const response = await this.unary<VerifyTokenResponse>(options, (md, opts, cb) =>
      this.client.verifyToken(message, md, opts, cb),
    );
    return {
      valid: response.valid,
      failure: response.failure,
      failureName: verificationFailureToJSON(response.failure),
      accountSid: response.accountSid,
      scopes: response.scopes,
      expireTime: response.expireTime,
      issueTime: response.issueTime,
      kind: response.kind,
      kindName: tokenKindToJSON(response.kind),
      taskRouter: response.taskrouter,
      access: response.access,
    };
  }

  /** Closes the channel. Calls made afterwards reject with `UNAVAILABLE`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }

  private unary<Res>(
    options: CallOptions,
    start: (
      metadata: Metadata,
      callOptions: Partial<GrpcCallOptions>,
      callback: (error: ServiceError | null, response: Res) => void,
    ) => ClientUnaryCall,
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      if (this.closed) {
        reject(new TokenServiceError(status.UNAVAILABLE, "the TokenClient is closed"));
        return;
      }
      const deadlineMs = options.deadlineMs ?? this.deadlineMs;
      checkDeadline(deadlineMs);
      const signal = options.signal;
      if (signal?.aborted) {
        reject(new TokenServiceError(status.CANCELLED, "the call was aborted before it started"));
        return;
      }
      let onAbort: (() => void) | undefined;
      const call = start(
        options.metadata ?? new Metadata(),
        { deadline: Date.now() + deadlineMs },
        (error, response) => {
          if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
          if (error) reject(TokenServiceError.from(error));
          else resolve(response);
        },
      );
      if (signal !== undefined) {
        onAbort = () => call.cancel();
        signal.addEventListener("abort", onAbort, { once: true });
      }
    });
  }
}

function checkDeadline(deadlineMs: number): void {
  if (typeof deadlineMs !== "number" || !Number.isFinite(deadlineMs) || deadlineMs <= 0) {
    throw new RangeError("deadlineMs must be a positive, finite number of milliseconds");
  }
}

function invalid(details: string): TokenServiceError {
  return new TokenServiceError(status.INVALID_ARGUMENT, details);
}
