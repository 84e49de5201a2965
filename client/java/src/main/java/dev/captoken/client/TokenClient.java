package dev.captoken.client;

import dev.captoken.v1.AccessTokenRequest;
import dev.captoken.v1.BatchMintRequest;
import dev.captoken.v1.BatchMintResponse;
import dev.captoken.v1.CapabilityRequest;
import dev.captoken.v1.MintRequest;
import dev.captoken.v1.MintResult;
import dev.captoken.v1.TaskRouterRequest;
import dev.captoken.v1.TokenServiceGrpc;
import dev.captoken.v1.VerifyTokenRequest;
import dev.captoken.v1.VerifyTokenResponse;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A client of captoken's {@code captoken.v1.TokenService}: mints and verifies Twilio tokens
 * (client capability tokens, TaskRouter tokens and Access Tokens). The server holds the accounts'
 * auth tokens and API key secrets; this client only describes tokens.
 *
 * <pre>{@code
 * try (TokenClient client = TokenClient.builder("127.0.0.1:50051")
 *     .deadline(Duration.ofSeconds(5))
 *     .build()) {
 *   MintedToken minted = client.mintCapabilityToken(
 *       Capabilities.request("AC00000000000000000000000000000000")
 *           .addScopes(Capabilities.clientIncoming("alice"))
 *           .build());
 *   System.out.println(minted.getToken() + " expires " + minted.getExpireTime());
 * }
 * }</pre>
 *
 * <p>A client owns one channel and one blocking stub; it is thread-safe and meant to be created
 * once and shared. Every call carries the client's deadline (5 s unless set). Failures are thrown
 * as {@link TokenServiceException}, which keeps the gRPC status code and message.
 *
 * <p>By default the channel is plaintext: right for a server on loopback or behind a service
 * mesh sidecar in the same pod (the only places the server serves plaintext). Anywhere else pass
 * TLS credentials with {@link Builder#credentials}, or a channel of your own with {@link
 * #builder(ManagedChannel)}.
 */
public final class TokenClient implements AutoCloseable {
  /** The deadline of each call unless {@link Builder#deadline} says otherwise. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(5);

  private static final long CLOSE_GRACE_SECONDS = 5;

  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final TokenServiceGrpc.TokenServiceBlockingStub stub;
  private final Duration deadline;

  private TokenClient(ManagedChannel channel, boolean ownsChannel, Duration deadline) {
    this.channel = channel;
    this.ownsChannel = ownsChannel;
    this.stub = TokenServiceGrpc.newBlockingStub(channel);
    this.deadline = deadline;
  }

  /**
   * A builder for a client of the server at {@code target}, e.g. {@code "127.0.0.1:50051"},
   * {@code "captoken.internal:50051"} or any gRPC target URI ({@code "dns:///host:port"}). The
   * client creates and owns the channel.
   */
  public static Builder builder(String target) {
    return new Builder(Objects.requireNonNull(target, "target"), null);
  }

  /**
   * A builder for a client that calls through {@code channel}. The caller keeps ownership: {@link
   * #close()} does not shut that channel down.
   */
  public static Builder builder(ManagedChannel channel) {
    return new Builder(null, Objects.requireNonNull(channel, "channel"));
  }

  /** The deadline applied to each call. */
  public Duration getDeadline() {
    return deadline;
  }

  /**
   * Mints a capability token.
   *
   * @param request the account, scopes, lifetime and profile; see {@link Capabilities}
   * @return the signed token with its issue and expiry times
   * @throws TokenServiceException with {@code INVALID_ARGUMENT} (the message names the field),
   *     {@code PERMISSION_DENIED} (the account is not served there), {@code DEADLINE_EXCEEDED},
   *     {@code UNAVAILABLE}, ...
   */
  public MintedToken mintCapabilityToken(CapabilityRequest request) {
    Objects.requireNonNull(request, "request");
    try {
      return new MintedToken(withDeadline().mintCapabilityToken(request));
    } catch (StatusRuntimeException e) {
      throw new TokenServiceException(e);
    }
  }

  /**
   * Mints a TaskRouter capability token (signed with the account's auth token).
   *
   * @param request the account, workspace, channel, policy sets and policies, lifetime and
   *     profile; see {@link TaskRouter}
   * @return the signed token with its issue and expiry times
   * @throws TokenServiceException as {@link #mintCapabilityToken} does; a deny policy under the
   *     node profile is {@code INVALID_ARGUMENT}
   */
  public MintedToken mintTaskRouterToken(TaskRouterRequest request) {
    Objects.requireNonNull(request, "request");
    try {
      return new MintedToken(withDeadline().mintTaskRouterToken(request));
    } catch (StatusRuntimeException e) {
      throw new TokenServiceException(e);
    }
  }

  /**
   * Mints an Access Token (signed with one of the account's API keys).
   *
   * @param request the account, API key, identity, grants, lifetime, region and profile; see
   *     {@link AccessTokens}
   * @return the signed token with its issue and expiry times
   * @throws TokenServiceException as {@link #mintCapabilityToken} does; an API key or grant the
   *     caller may not use is {@code PERMISSION_DENIED}
   */
  public MintedToken mintAccessToken(AccessTokenRequest request) {
    Objects.requireNonNull(request, "request");
    try {
      return new MintedToken(withDeadline().mintAccessToken(request));
    } catch (StatusRuntimeException e) {
      throw new TokenServiceException(e);
    }
  }

  /**
   * Mints several tokens of any kinds in one call. A failed item does not throw: its result
   * carries the code and message the single call would have thrown. Each item counts against the
   * caller's rate: one over it gets {@code RESOURCE_EXHAUSTED}, and the items before it keep
   * their tokens.
   *
   * @param requests the requests in order, each made with {@link Batch#item}; at most the server's
   *     batch limit (100 by default)
   * @return one result per request, in request order
   * @throws TokenServiceException only when the whole call fails: {@code INVALID_ARGUMENT} for an
   *     empty or too large batch, {@code UNAUTHENTICATED}, {@code PERMISSION_DENIED} for a caller
   *     no policy names, {@code RESOURCE_EXHAUSTED} for a request over the server's size limit,
   *     {@code DEADLINE_EXCEEDED}, ...
   */
  public List<BatchMintResult> batchMint(List<MintRequest> requests) {
    Objects.requireNonNull(requests, "requests");
    BatchMintRequest request = BatchMintRequest.newBuilder().addAllRequests(requests).build();
    BatchMintResponse response;
    try {
      response = withDeadline().batchMint(request);
    } catch (StatusRuntimeException e) {
      throw new TokenServiceException(e);
    }
    if (response.getResultsCount() != request.getRequestsCount()) {
      throw new TokenServiceException(
          Status.INTERNAL
              .withDescription(
                  "the server returned " + response.getResultsCount() + " results for "
                      + request.getRequestsCount() + " requests")
              .asRuntimeException());
    }
    List<BatchMintResult> results = new ArrayList<>(response.getResultsCount());
    for (MintResult result : response.getResultsList()) {
      results.add(new BatchMintResult(result));
    }
    return Collections.unmodifiableList(results);
  }

  /** {@link #batchMint(List)} of the given items. */
  public List<BatchMintResult> batchMint(MintRequest... requests) {
    return batchMint(Arrays.asList(requests));
  }

  /**
   * Asks the server to verify a token of any kind (against the account's auth token, or for an
   * Access Token the API key it names); the response's {@code getKind()} says which, and {@code
   * getTaskrouter()} / {@code getAccess()} carry its claims. A token that does not verify is not an error: the response
   * has {@code valid == false} and a {@code failure} reason.
   *
   * @param token the compact JWT
   * @param accountSid the account the token must belong to, or {@code null} or empty to take it
   *     from the token's {@code iss} claim
   * @return the verdict, and the token's claims when the signature verified
   * @throws TokenServiceException when the call fails, e.g. {@code INVALID_ARGUMENT} for an empty
   *     token or {@code PERMISSION_DENIED} for an account not served there
   */
  public VerifyTokenResponse verifyToken(String token, String accountSid) {
    Objects.requireNonNull(token, "token");
    VerifyTokenRequest request =
        VerifyTokenRequest.newBuilder()
            .setToken(token)
            .setAccountSid(accountSid == null ? "" : accountSid)
            .build();
    try {
      return withDeadline().verifyToken(request);
    } catch (StatusRuntimeException e) {
      throw new TokenServiceException(e);
    }
  }

  /** Verifies a token against the account named in its {@code iss} claim. */
  public VerifyTokenResponse verifyToken(String token) {
    return verifyToken(token, null);
  }

  private TokenServiceGrpc.TokenServiceBlockingStub withDeadline() {
    return stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Shuts the channel down if this client created it, waiting up to 5 s for calls in flight.
   * Idempotent.
   */
  @Override
  public void close() {
    if (!ownsChannel) {
      return;
    }
    channel.shutdown();
    try {
      if (!channel.awaitTermination(CLOSE_GRACE_SECONDS, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Configures a {@link TokenClient}. */
  public static final class Builder {
    private final String target;
    private final ManagedChannel channel;
    private Duration deadline = DEFAULT_DEADLINE;
    private ChannelCredentials credentials = InsecureChannelCredentials.create();

    private Builder(String target, ManagedChannel channel) {
      this.target = target;
      this.channel = channel;
    }

    /** The deadline of each call (default 5 s). Must be positive. */
    public Builder deadline(Duration deadline) {
      Objects.requireNonNull(deadline, "deadline");
      if (deadline.isNegative() || deadline.isZero()) {
        throw new IllegalArgumentException("deadline must be positive: " + deadline);
      }
      this.deadline = deadline;
      return this;
    }

    /**
     * The channel credentials, e.g. {@code TlsChannelCredentials.create()}. Default: plaintext
     * ({@link InsecureChannelCredentials}). Not allowed with {@link
     * TokenClient#builder(ManagedChannel)}, whose channel has its own.
     */
    public Builder credentials(ChannelCredentials credentials) {
      Objects.requireNonNull(credentials, "credentials");
      if (channel != null) {
        throw new IllegalStateException("credentials belong to the channel passed to builder()");
      }
      this.credentials = credentials;
      return this;
    }

    /** The client. When built from a target, it creates the channel (connecting lazily). */
    public TokenClient build() {
      if (channel != null) {
        return new TokenClient(channel, false, deadline);
      }
      return new TokenClient(Grpc.newChannelBuilder(target, credentials).build(), true, deadline);
    }
  }
}
