package dev.captoken.client;

import dev.captoken.v1.AccessGrant;
import dev.captoken.v1.AccessTokenRequest;
import dev.captoken.v1.ChatGrant;
import dev.captoken.v1.PlaybackGrant;
import dev.captoken.v1.SyncGrant;
import dev.captoken.v1.TaskRouterGrant;
import dev.captoken.v1.VideoGrant;
import dev.captoken.v1.VoiceGrant;
import java.util.Objects;

/**
 * Shortcuts for building {@link AccessTokenRequest}s and their grants.
 *
 * <pre>{@code
 * AccessTokenRequest request = AccessTokens.request(accountSid, "alice")
 *     .addGrants(AccessTokens.voice(VoiceGrant.newBuilder()
 *         .setIncomingAllow(true)
 *         .setOutgoingApplicationSid("AP89abcdef0123456789abcdef01234567")
 *         .setOutgoingApplicationParamsJson("{\"To\":\"+15551234567\"}")
 *         .build()))
 *     .addGrants(AccessTokens.video("standup"))
 *     .setTtl(Capabilities.durationOf(Duration.ofMinutes(30)))
 *     .build();
 * }</pre>
 *
 * <p>Grants are written in order; a later grant of a kind replaces an earlier one in its place.
 * Nothing is validated here: the server checks every field and answers {@code INVALID_ARGUMENT}
 * naming the field.
 */
public final class AccessTokens {
  private AccessTokens() {}

  /**
   * A request builder for an Access Token of {@code accountSid} for {@code identity}. Without
   * {@code setApiKeySid}, the server signs with the account's first API key that may sign.
   */
  public static AccessTokenRequest.Builder request(String accountSid, String identity) {
    return AccessTokenRequest.newBuilder()
        .setAccountSid(Objects.requireNonNull(accountSid, "accountSid"))
        .setIdentity(Objects.requireNonNull(identity, "identity"));
  }

  /** A Voice SDK grant. */
  public static AccessGrant voice(VoiceGrant grant) {
    return AccessGrant.newBuilder().setVoice(Objects.requireNonNull(grant, "grant")).build();
  }

  /** A Conversations / Programmable Chat grant. */
  public static AccessGrant chat(ChatGrant grant) {
    return AccessGrant.newBuilder().setChat(Objects.requireNonNull(grant, "grant")).build();
  }

  /** A Programmable Video grant for one room, or for any room when {@code room} is empty. */
  public static AccessGrant video(String room) {
    return AccessGrant.newBuilder()
        .setVideo(VideoGrant.newBuilder().setRoom(Objects.requireNonNull(room, "room")))
        .build();
  }

  /** A Sync grant. */
  public static AccessGrant sync(SyncGrant grant) {
    return AccessGrant.newBuilder().setSync(Objects.requireNonNull(grant, "grant")).build();
  }

  /** A TaskRouter grant: workspace ("WS…"), worker ("WK…") and role; each may be empty. */
  public static AccessGrant taskRouter(String workspaceSid, String workerSid, String role) {
    return AccessGrant.newBuilder()
        .setTaskRouter(
            TaskRouterGrant.newBuilder()
                .setWorkspaceSid(Objects.requireNonNull(workspaceSid, "workspaceSid"))
                .setWorkerSid(Objects.requireNonNull(workerSid, "workerSid"))
                .setRole(Objects.requireNonNull(role, "role")))
        .build();
  }

  /**
   * A Twilio Live playback grant: the JSON object Twilio's PlaybackGrant API returned, copied
   * into the token verbatim.
   */
  public static AccessGrant playback(String grantJson) {
    return AccessGrant.newBuilder()
        .setPlayback(
            PlaybackGrant.newBuilder().setGrantJson(Objects.requireNonNull(grantJson, "grantJson")))
        .build();
  }
}
