package dev.captoken.client;

import dev.captoken.v1.MintResult;
import io.grpc.Status;
import java.util.Objects;

/**
 * The outcome of one item of {@link TokenClient#batchMint}: a status, and the token when the item
 * was signed. A failed item carries the code and message the single-token call would have thrown.
 *
 * <p>{@link #toString()} never shows the token.
 */
public final class BatchMintResult {
  private final Status status;
  private final MintedToken token;

  BatchMintResult(MintResult result) {
    Objects.requireNonNull(result, "result");
    Status status = Status.fromCodeValue(result.getCode());
    if (status.isOk() && !result.hasToken()) {
      status = Status.INTERNAL.withDescription("the server's result has code 0 and no token");
    } else if (!status.isOk()) {
      status = status.withDescription(result.getMessage());
    }
    this.status = status;
    this.token = status.isOk() ? new MintedToken(result.getToken()) : null;
  }

  /** True when the item was signed. */
  public boolean isOk() {
    return status.isOk();
  }

  /** {@code OK}, or the item's error code ({@code INVALID_ARGUMENT}, {@code PERMISSION_DENIED}, …). */
  public Status.Code getStatusCode() {
    return status.getCode();
  }

  /** The server's message for a failed item (it names the field); empty when OK. */
  public String getMessage() {
    String description = status.getDescription();
    return description == null ? "" : description;
  }

  /**
   * The signed token.
   *
   * @throws TokenServiceException the item's failure, when it was not signed
   */
  public MintedToken getToken() {
    if (token == null) {
      throw toException();
    }
    return token;
  }

  /** The item's failure as an exception, or {@code null} when it was signed. */
  public TokenServiceException toException() {
    return status.isOk() ? null : new TokenServiceException(status.asRuntimeException());
  }

  @Override
  public String toString() {
    return isOk()
        ? "BatchMintResult{OK, " + token + "}"
        : "BatchMintResult{" + getStatusCode() + ": " + getMessage() + "}";
  }
}
