package dev.captoken.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A call to the token service failed: the gRPC status the server (or the channel) returned.
 *
 * <p>It is unchecked, like gRPC's own {@link StatusRuntimeException}, because most callers cannot
 * recover locally; catch it where you map errors. The codes the service uses:
 *
 * <ul>
 *   <li>{@code INVALID_ARGUMENT}: the request is malformed; {@link #getDescription()} names the
 *       field and the rule, e.g. {@code account_sid: must be "AC" followed by 32 hex digits}.
 *   <li>{@code PERMISSION_DENIED}: the account is not configured on that server, or is
 *       verify-only (the two are indistinguishable on purpose).
 *   <li>{@code RESOURCE_EXHAUSTED}: the request is too large.
 *   <li>{@code UNAVAILABLE}: the server is draining or unreachable; safe to retry (on another
 *       replica).
 *   <li>{@code DEADLINE_EXCEEDED}: no answer within the client's deadline.
 * </ul>
 *
 * <p>Messages never contain a secret or a token.
 */
public final class TokenServiceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Status status;

  /**
   * Wraps a failed gRPC call.
   *
   * @param cause the exception the gRPC stub threw
   */
  public TokenServiceException(StatusRuntimeException cause) {
    super(describe(cause.getStatus()), cause);
    this.status = cause.getStatus();
  }

  private static String describe(Status status) {
    String description = status.getDescription();
    return description == null || description.isEmpty()
        ? status.getCode().name()
        : status.getCode().name() + ": " + description;
  }

  /** The gRPC status code, e.g. {@link Status.Code#INVALID_ARGUMENT}. */
  public Status.Code getStatusCode() {
    return status.getCode();
  }

  /**
   * The status message, e.g. {@code ttl: must be greater than zero}; empty when there is none.
   * {@link #getMessage()} is the code followed by this description.
   */
  public String getDescription() {
    String description = status.getDescription();
    return description == null ? "" : description;
  }

  /** The whole gRPC status (code, description and cause). */
  public Status getStatus() {
    return status;
  }
}
