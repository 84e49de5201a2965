package dev.captoken.client;

import dev.captoken.v1.AccessTokenRequest;
import dev.captoken.v1.CapabilityRequest;
import dev.captoken.v1.MintRequest;
import dev.captoken.v1.TaskRouterRequest;
import java.util.Objects;

/**
 * Items of a {@link TokenClient#batchMint} call: each request of any kind as a {@link
 * MintRequest}.
 *
 * <pre>{@code
 * List<BatchMintResult> results = client.batchMint(
 *     Batch.item(capabilityRequest), Batch.item(taskRouterRequest), Batch.item(accessRequest));
 * }</pre>
 */
public final class Batch {
  private Batch() {}

  /** A capability token request as a batch item. */
  public static MintRequest item(CapabilityRequest request) {
    return MintRequest.newBuilder().setCapability(Objects.requireNonNull(request, "request")).build();
  }

  /** A TaskRouter token request as a batch item. */
  public static MintRequest item(TaskRouterRequest request) {
    return MintRequest.newBuilder().setTaskrouter(Objects.requireNonNull(request, "request")).build();
  }

  /** An Access Token request as a batch item. */
  public static MintRequest item(AccessTokenRequest request) {
    return MintRequest.newBuilder().setAccess(Objects.requireNonNull(request, "request")).build();
  }
}
