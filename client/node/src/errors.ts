/**
 * Errors raised by {@link TokenClient}: every failed call rejects with a
 * {@link TokenServiceError} carrying the gRPC status code and the server's
 * message (which names the offending field and never contains a secret).
 */
import { Metadata, status, type ServiceError } from "@grpc/grpc-js";

/**
 * gRPC status codes (`Status.INVALID_ARGUMENT === 3`, ...), re-exported from
 * `@grpc/grpc-js` so callers need not depend on it directly.
 */
export { status as Status };

/** The name of a gRPC status code: `statusName(3) === "INVALID_ARGUMENT"`. */
export function statusName(code: number): string {
  const name = (status as unknown as Record<number, string | undefined>)[code];
  return name ?? `CODE_${code}`;
}

/** Options of the {@link TokenServiceError} constructor. */
export interface TokenServiceErrorOptions {
  /** Response trailers of the failed call, if any. */
  metadata?: Metadata;
  /** The underlying error (e.g. the grpc-js `ServiceError`). */
  cause?: unknown;
}

/**
 * A failed captoken call. `code` is the gRPC status code (see {@link Status}),
 * `codeName` its name and `details` the server's message, e.g.
 * `scopes[1].client_outgoing.application_sid: must be "AP" followed by 32 hex digits`.
 *
 * `message` reads `INVALID_ARGUMENT: <details>`, like the `captoken` CLI.
 */
export class TokenServiceError extends Error {
  /** The gRPC status code, e.g. `Status.PERMISSION_DENIED` (7). */
  readonly code: status;
  /** The status code's name, e.g. `"PERMISSION_DENIED"`. */
  readonly codeName: string;
  /** The server's message (or the client's, for local failures). */
  readonly details: string;
  /** Response trailers of the failed call (empty for local failures). */
  readonly metadata: Metadata;

  constructor(code: status, details: string, options: TokenServiceErrorOptions = {}) {
    super(`${statusName(code)}: ${details}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TokenServiceError";
    this.code = code;
    this.codeName = statusName(code);
    this.details = details;
    this.metadata = options.metadata ?? new Metadata();
  }

  /**
   * True for `UNAVAILABLE`: the server is starting or draining, and the call
   * is safe to retry (on another replica).
   */
  get retryable(): boolean {
    return this.code === status.UNAVAILABLE;
  }

  /** Converts a grpc-js `ServiceError` (or anything else thrown) into a TokenServiceError. */
  static from(err: unknown): TokenServiceError {
    if (err instanceof TokenServiceError) return err;
    if (isServiceError(err)) {
      return new TokenServiceError(err.code, err.details ?? err.message, {
        metadata: err.metadata,
        cause: err,
      });
    }
    const message = err instanceof Error ? err.message : String(err);
    return new TokenServiceError(status.UNKNOWN, message, { cause: err });
  }
}

/** Type guard for {@link TokenServiceError}. */
export function isTokenServiceError(err: unknown): err is TokenServiceError {
  return err instanceof TokenServiceError;
}

function isServiceError(err: unknown): err is ServiceError {
  return (
    err instanceof Error &&
    typeof (err as Partial<ServiceError>).code === "number" &&
    "details" in err
  );
}
