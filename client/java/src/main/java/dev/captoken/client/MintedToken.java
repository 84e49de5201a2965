package dev.captoken.client;

import dev.captoken.v1.Profile;
import dev.captoken.v1.TokenResponse;
import java.time.Instant;
import java.util.Objects;

/**
 * A signed token (capability, TaskRouter or Access Token) and when it was issued and expires.
 *
 * <p>{@link #toString()} shows the fingerprint, never the token, so logging this object does not
 * leak a credential.
 */
public final class MintedToken {
  private final TokenResponse response;

  MintedToken(TokenResponse response) {
    this.response = Objects.requireNonNull(response, "response");
  }

  /** The JWT, ready to hand to the Twilio SDK. */
  public String getToken() {
    return response.getToken();
  }

  /** When the token expires (its {@code exp} claim). */
  public Instant getExpireTime() {
    return Capabilities.instantOf(response.getExpireTime());
  }

  /** When the server signed the token ({@code iat} for the node profile). */
  public Instant getIssueTime() {
    return Capabilities.instantOf(response.getIssueTime());
  }

  /** The profile the server used (never {@code PROFILE_UNSPECIFIED}). */
  public Profile getProfile() {
    return response.getProfile();
  }

  /**
   * The first 16 hex digits of the token's SHA-256; the server's audit log line carries the same
   * value.
   */
  public String getTokenFingerprint() {
    return response.getTokenFingerprint();
  }

  /** The raw response message. */
  public TokenResponse getResponse() {
    return response;
  }

  @Override
  public String toString() {
    return "MintedToken{fingerprint="
        + getTokenFingerprint()
        + ", profile="
        + getProfile()
        + ", issueTime="
        + getIssueTime()
        + ", expireTime="
        + getExpireTime()
        + "}";
  }
}
