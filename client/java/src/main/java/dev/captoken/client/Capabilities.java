package dev.captoken.client;

import com.google.protobuf.Timestamp;
import dev.captoken.v1.CapabilityRequest;
import dev.captoken.v1.CapabilityScope;
import dev.captoken.v1.ClientIncoming;
import dev.captoken.v1.ClientOutgoing;
import dev.captoken.v1.EventStream;
import dev.captoken.v1.Param;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Shortcuts for building {@link CapabilityRequest}s and their scopes.
 *
 * <pre>{@code
 * CapabilityRequest request = Capabilities.request("AC0123456789abcdef0123456789abcdef")
 *     .setProfile(Profile.PROFILE_TWILIO_NODE)
 *     .setTtl(Capabilities.durationOf(Duration.ofMinutes(10)))
 *     .addScopes(Capabilities.clientIncoming("alice"))
 *     .addScopes(Capabilities.clientOutgoing("AP89abcdef0123456789abcdef01234567")
 *         .param("To", "+15551234567")
 *         .param("Mode", "conference")
 *         .clientName("alice")
 *         .build())
 *     .addScopes(Capabilities.eventStream().filter("CallSid", "CA123").build())
 *     .build();
 * }</pre>
 *
 * <p>Nothing is validated here: the server checks every field and answers {@code
 * INVALID_ARGUMENT} naming the field.
 */
public final class Capabilities {
  private Capabilities() {}

  /** A request builder for {@code accountSid} ("AC" followed by 32 hex digits). */
  public static CapabilityRequest.Builder request(String accountSid) {
    return CapabilityRequest.newBuilder().setAccountSid(Objects.requireNonNull(accountSid));
  }

  /** A scope that lets the device receive calls addressed to {@code clientName}. */
  public static CapabilityScope clientIncoming(String clientName) {
    return CapabilityScope.newBuilder()
        .setClientIncoming(
            ClientIncoming.newBuilder().setClientName(Objects.requireNonNull(clientName)))
        .build();
  }

  /**
   * A builder for a scope that lets the device place calls through the TwiML application {@code
   * applicationSid} ("AP" followed by 32 hex digits).
   */
  public static ClientOutgoingScope clientOutgoing(String applicationSid) {
    return new ClientOutgoingScope(applicationSid);
  }

  /** A builder for a scope that subscribes the device to the account's event stream. */
  public static EventStreamScope eventStream() {
    return new EventStreamScope();
  }

  /** One key/value pair (an application parameter or an event-stream filter). */
  public static Param param(String key, String value) {
    return Param.newBuilder()
        .setKey(Objects.requireNonNull(key, "key"))
        .setValue(Objects.requireNonNull(value, "value"))
        .build();
  }

  /** A protobuf duration for {@link CapabilityRequest.Builder#setTtl}; use whole seconds. */
  public static com.google.protobuf.Duration durationOf(Duration duration) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(duration.getSeconds())
        .setNanos(duration.getNano())
        .build();
  }

  /** A protobuf timestamp for {@link CapabilityRequest.Builder#setExpireTime}. */
  public static Timestamp timestampOf(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  /** The instant a protobuf timestamp denotes. */
  public static Instant instantOf(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  /**
   * Builds a {@code client_outgoing} scope. Parameters keep the order they are added in, which is
   * part of the token's bytes.
   */
  public static final class ClientOutgoingScope {
    private final ClientOutgoing.Builder outgoing = ClientOutgoing.newBuilder();

    private ClientOutgoingScope(String applicationSid) {
      outgoing.setApplicationSid(Objects.requireNonNull(applicationSid, "applicationSid"));
    }

    /** Appends an application parameter ({@code appParams}). */
    public ClientOutgoingScope param(String key, String value) {
      outgoing.addParams(Capabilities.param(key, value));
      return this;
    }

    /** Appends parameters in the map's iteration order (use a {@link java.util.LinkedHashMap}). */
    public ClientOutgoingScope params(Map<String, String> params) {
      params.forEach(this::param);
      return this;
    }

    /**
     * The client name calls are placed as. Optional; with the python profile it must equal the
     * incoming scope's name, if the request has one.
     */
    public ClientOutgoingScope clientName(String clientName) {
      outgoing.setClientName(Objects.requireNonNull(clientName, "clientName"));
      return this;
    }

    /** The scope. */
    public CapabilityScope build() {
      return CapabilityScope.newBuilder().setClientOutgoing(outgoing.build()).build();
    }
  }

  /** Builds an {@code event_stream} scope. Filters keep the order they are added in. */
  public static final class EventStreamScope {
    private final EventStream.Builder stream = EventStream.newBuilder();

    private EventStreamScope() {}

    /** Appends a filter. */
    public EventStreamScope filter(String key, String value) {
      stream.addFilters(Capabilities.param(key, value));
      return this;
    }

    /** Appends filters in the map's iteration order (use a {@link java.util.LinkedHashMap}). */
    public EventStreamScope filters(Map<String, String> filters) {
      filters.forEach(this::filter);
      return this;
    }

    /** The scope. */
    public CapabilityScope build() {
      return CapabilityScope.newBuilder().setEventStream(stream.build()).build();
    }
  }
}
