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

import {
  CapabilityRequest,
  type CapabilityScope,
  Profile,
  profileFromJSON,
  type TokenResponse,
} from "./gen/captoken/v1/capability";
import {
  TokenServiceClient,
  VerificationFailure,
  verificationFailureToJSON,
  type VerifyTokenResponse,
} from "./gen/captoken/v1/token_service";
import { TokenServiceError } from "./errors";

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
export type ProfileInput = Profile | "PROFILE_UNSPECIFIED" | "PROFILE_TWILIO_PYTHON" | "PROFILE_TWILIO_NODE";

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
   * Whose bytes to reproduce: `Profile.PROFILE_TWILIO_PYTHON` or
   * `Profile.PROFILE_TWILIO_NODE` (or their names). Default: the server's.
   */
  profile?: ProfileInput;
}

/** A signed capability token. */
export interface MintedToken {
  /** The JWT, ready to hand to the Twilio Client SDK. */
  token: string;
  /** When it expires (its `exp` claim). */
  expireTime: Date;
  /** When the server signed it (`iat` for the node profile). */
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
    ttl: undefined,
    expireTime: undefined,
    profile: Profile.PROFILE_UNSPECIFIED,
  };
  if (typeof message.accountSid !== "string") throw invalid("account_sid: expected a string");
  if (request.ttlSeconds !== undefined) {
    const ttl = request.ttlSeconds;
    if (typeof ttl !== "number" || !Number.isFinite(ttl)) {
      throw invalid("ttl: must be a finite number of seconds");
    }
    const seconds = Math.trunc(ttl);
    // Fractions are sent as they are; the server refuses them.
    message.ttl = { seconds, nanos: Math.round((ttl - seconds) * 1e9) };
  }
  if (request.expireTime !== undefined) {
    const when = request.expireTime;
    if (!(when instanceof Date) || Number.isNaN(when.getTime())) {
      throw invalid("expire_time: must be a valid Date");
    }
    message.expireTime = new Date(when.getTime());
  }
  if (request.profile !== undefined) {
    const profile = profileFromJSON(request.profile);
    if (profile === Profile.UNRECOGNIZED) throw invalid("profile: unknown profile");
    message.profile = profile;
  }
  return message;
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
   * Asks the server to check a token, optionally requiring that it belong to
   * `accountSid`. A token that does not verify resolves with `valid: false`
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
