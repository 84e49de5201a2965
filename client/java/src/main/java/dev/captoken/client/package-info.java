/**
 * A thin Java client for captoken's {@code captoken.v1.TokenService}.
 *
 * <p>{@link dev.captoken.client.TokenClient} owns one gRPC channel and a blocking stub, applies a
 * deadline to every call and turns gRPC errors into {@link
 * dev.captoken.client.TokenServiceException}. {@link dev.captoken.client.Capabilities}, {@link
 * dev.captoken.client.TaskRouter} and {@link dev.captoken.client.AccessTokens} build requests,
 * scopes, policies and grants without the generated builders' ceremony; {@link
 * dev.captoken.client.Batch} makes the items of a {@code batchMint} call, whose per-item outcomes
 * are {@link dev.captoken.client.BatchMintResult}s. The messages themselves are the
 * classes generated from the contract, in package {@code dev.captoken.v1}.
 *
 * <pre>{@code
 * try (TokenClient client = TokenClient.builder("127.0.0.1:50051").build()) {
 *   MintedToken minted = client.mintCapabilityToken(
 *       Capabilities.request("AC00000000000000000000000000000000")
 *           .addScopes(Capabilities.clientIncoming("alice"))
 *           .build());
 *   String jwt = minted.getToken();
 * }
 * }</pre>
 */
package dev.captoken.client;
