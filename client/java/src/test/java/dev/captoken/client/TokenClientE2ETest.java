package dev.captoken.client;

import static org.hamcrest.CoreMatchers.containsString;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.util.JsonFormat;
import dev.captoken.v1.CapabilityRequest;
import dev.captoken.v1.CapabilityScope;
import dev.captoken.v1.Profile;
import dev.captoken.v1.VerificationFailure;
import dev.captoken.v1.VerifyTokenResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.ErrorCollector;

/**
 * End-to-end: starts the real captoken server binary on a free loopback port and checks the Java
 * client against it, and the tokens against the {@code captoken} CLI signing the same request
 * locally.
 *
 * <p>{@code CAPTOKEN_SERVER} and {@code CAPTOKEN_CLI} name the binaries (defaults: the Bazel
 * outputs in /work/main/bazel-bin).
 */
public class TokenClientE2ETest {
  private static final String ACCOUNT = "AC0123456789abcdef0123456789abcdef";
  private static final String OTHER_ACCOUNT = "ACfedcba9876543210fedcba9876543210";
  private static final String APP = "AP89abcdef0123456789abcdef01234567";
  private static final String AUTH_TOKEN_ENV = "JAVA_E2E_AUTH_TOKEN";
  /** A fresh random auth token per run: no token can be hard-coded. */
  private static String authToken;

  private static TestServer server;
  private static String target;
  private static TokenClient client;

  @Rule public final ErrorCollector errors = new ErrorCollector();

  @BeforeClass
  public static void startServer() throws Exception {
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    authToken = "java-e2e-" + hex(secret);
    server = new TestServer(
        List.of("accounts { account_sid: \"" + ACCOUNT + "\" auth_token { env: \""
            + AUTH_TOKEN_ENV + "\" } }"),
        Map.of(AUTH_TOKEN_ENV, authToken));
    target = server.target;
    client = TokenClient.builder(target).deadline(Duration.ofSeconds(10)).build();
  }

  @AfterClass
  public static void stopServer() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close(); // SIGTERM: the server drains and must exit 0.
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Tokens match the CLI byte for byte.

  /** Every scope kind, both profiles, with and without a lifetime: same bytes as the CLI. */
  @Test
  public void mintedTokensMatchTheCliSigningLocally() throws Exception {
    Map<String, CapabilityRequest.Builder> shapes = new java.util.LinkedHashMap<>();
    shapes.put("every scope kind", request()
        .addScopes(Capabilities.clientIncoming("alice"))
        .addScopes(Capabilities.clientOutgoing(APP)
            .param("To", "+1 555 123 4567")
            .param("a&b", "x=y&z=1")
            .param("plus", "1+1=2")
            .param("caf\u00e9", "\u00fcn\u00efc\u00f8de \u260e \ud83d\ude00")
            .param("percent", "100%/~*'()!")
            .param("empty", "")
            .param("Alpha", "last key sorts first?")
            .clientName("alice")
            .build())
        .addScopes(Capabilities.eventStream()
            .filter("CallSid", "CA0123")
            .filter("Status", "in progress & done=1+2")
            .build()));
    shapes.put("outgoing with its own client name", request()
        .addScopes(Capabilities.clientOutgoing(APP)
            .param("Mode", "conf\u00e9rence")
            .clientName("bob smith")
            .build()));
    shapes.put("outgoing without params, event stream without filters", request()
        .addScopes(Capabilities.clientOutgoing(APP).build())
        .addScopes(Capabilities.eventStream().build()));
    shapes.put("non-ASCII client name", request()
        .addScopes(Capabilities.clientIncoming("zo\u00eb & \u674e")));
    shapes.put("no scopes", request());

    List<UnaryOperator<CapabilityRequest.Builder>> lifetimes = List.of(
        b -> b,  // default 3600 s
        b -> b.setTtl(Capabilities.durationOf(Duration.ofSeconds(600))),
        b -> b.setExpireTime(Capabilities.timestampOf(
            Instant.now().plusSeconds(900).truncatedTo(java.time.temporal.ChronoUnit.SECONDS))));
    List<String> lifetimeNames = List.of("no ttl", "ttl 600s", "expire_time");

    int checked = 0;
    for (Map.Entry<String, CapabilityRequest.Builder> shape : shapes.entrySet()) {
      for (Profile profile : List.of(Profile.PROFILE_TWILIO_PYTHON, Profile.PROFILE_TWILIO_NODE)) {
        for (int i = 0; i < lifetimes.size(); i++) {
          CapabilityRequest req =
              lifetimes.get(i).apply(shape.getValue().clone().setProfile(profile)).build();
          String what = shape.getKey() + ", " + profile + ", " + lifetimeNames.get(i);
          try {
            checkAgainstCli(what, req);
          } catch (Throwable t) {
            errors.addError(new AssertionError(what + ": " + t, t));
          }
          checked++;
        }
      }
    }
    assertEquals(30, checked);
  }

  private void checkAgainstCli(String what, CapabilityRequest req) throws Exception {
    MintedToken minted = client.mintCapabilityToken(req);
    long issuedAt = minted.getIssueTime().getEpochSecond();
    String json = JsonFormat.printer().print(req);
    String expected = cliSign(json, issuedAt);
    assertEquals(what + ": token differs from `captoken sign` of\n" + json, expected,
        minted.getToken());

    assertEquals(what + ": profile", req.getProfile(), minted.getProfile());
    long expectedExp = req.hasTtl() ? issuedAt + req.getTtl().getSeconds()
        : req.hasExpireTime() ? req.getExpireTime().getSeconds()
        : issuedAt + 3600;
    assertEquals(what + ": expire time", Instant.ofEpochSecond(expectedExp),
        minted.getExpireTime());
    assertEquals(what + ": fingerprint",
        hex(MessageDigest.getInstance("SHA-256")
            .digest(minted.getToken().getBytes(StandardCharsets.US_ASCII))).substring(0, 16),
        minted.getTokenFingerprint());
    assertFalse(what + ": toString must not show the token",
        minted.toString().contains(minted.getToken()));
  }

  // ---------------------------------------------------------------------------------------------
  // The twilio-python 6.x and 7.x-9.x profiles give the SDKs' own bytes.

  /** The reference cases' (tests/vectors/python) frozen clock and auth token. */
  private static final long VECTOR_NOW = 1700000000L;

  private static final String VECTOR_AUTH_TOKEN = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
  private static final Pattern CLOCK_NUMBERS =
      Pattern.compile("\\b(1700000000|1700000600|1700003600)\\b");

  /**
   * py6_cc05 and py9_cc05: the recorded SDK call, minted through the server with the profile of
   * its SDK major, equals the case's token moved to the response's issue second.
   */
  @Test
  public void laterPythonProfilesGiveTheSdksBytes() throws Exception {
    Map<Profile, String> cases = new java.util.LinkedHashMap<>();
    cases.put(Profile.PROFILE_TWILIO_PYTHON_6, "py6_cc05_outgoing_params_special_chars");
    cases.put(Profile.PROFILE_TWILIO_PYTHON_7, "py9_cc05_outgoing_params_special_chars");
    for (Map.Entry<Profile, String> c : cases.entrySet()) {
      JsonObject vector = readVector(c.getValue());
      String sdkToken = vector.get("token").getAsString();
      // Moving a case to its own second gives its token back.
      assertEquals(c.getValue(), sdkToken, vectorTokenAt(vector, VECTOR_NOW, VECTOR_AUTH_TOKEN));
      // allow_client_outgoing(APP_SID, **params), params in order.
      JsonArray calls = vector.getAsJsonObject("inputs").getAsJsonArray("calls");
      assertEquals(1, calls.size());
      JsonArray call = calls.get(0).getAsJsonArray();
      assertEquals("allow_client_outgoing", call.get(0).getAsString());
      Capabilities.ClientOutgoingScope outgoing =
          Capabilities.clientOutgoing(call.get(1).getAsJsonArray().get(0).getAsString());
      for (Map.Entry<String, JsonElement> kwarg : call.get(2).getAsJsonObject().entrySet()) {
        outgoing.param(kwarg.getKey(), kwarg.getValue().getAsString());
      }
      MintedToken minted = client.mintCapabilityToken(
          request().addScopes(outgoing.build()).setProfile(c.getKey()).build());
      assertEquals(c.getValue(), c.getKey(), minted.getProfile());
      assertEquals(c.getValue(),
          vectorTokenAt(vector, minted.getIssueTime().getEpochSecond(), authToken),
          minted.getToken());
    }
  }

  /** py9_cc16: ClientCapabilityToken(ttl=600, nbf=None) is omit_not_before. */
  @Test
  public void omitNotBeforeGivesTheSdksBytes() throws Exception {
    JsonObject vector = readVector("py9_cc16_ttl_600_no_nbf");
    MintedToken minted = client.mintCapabilityToken(request()
        .addScopes(Capabilities.clientIncoming("alice"))
        .setTtl(Capabilities.durationOf(Duration.ofSeconds(600)))
        .setProfile(Profile.PROFILE_TWILIO_PYTHON_7)
        .setOmitNotBefore(true)
        .build());
    assertEquals(vectorTokenAt(vector, minted.getIssueTime().getEpochSecond(), authToken),
        minted.getToken());
  }

  private static JsonObject readVector(String id) throws IOException {
    Path file = Paths.get("..", "..", "tests", "vectors", "python", id + ".json");
    return JsonParser.parseString(new String(Files.readAllBytes(file), StandardCharsets.UTF_8))
        .getAsJsonObject();
  }

  /**
   * The case's token as its SDK would have signed it at {@code issuedAt} with {@code secret}: its
   * header bytes, its payload text with the clock-derived numbers (now, now + 600, now + 3600)
   * moved, signed again.
   */
  private static String vectorTokenAt(JsonObject vector, long issuedAt, String secret)
      throws Exception {
    Matcher numbers = CLOCK_NUMBERS.matcher(vector.get("payload_json").getAsString());
    StringBuilder payload = new StringBuilder();
    while (numbers.find()) {
      numbers.appendReplacement(
          payload, Long.toString(Long.parseLong(numbers.group()) - VECTOR_NOW + issuedAt));
    }
    numbers.appendTail(payload);
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String input = vector.get("token").getAsString().split("\\.")[0] + "."
        + b64.encodeToString(payload.toString().getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  // ---------------------------------------------------------------------------------------------
  // Errors.

  @Test
  public void malformedAccountSidIsInvalidArgumentNamingTheField() {
    TokenServiceException e = mintFails(CapabilityRequest.newBuilder()
        .setAccountSid("AC123")
        .addScopes(Capabilities.clientIncoming("alice"))
        .build());
    assertEquals(e.toString(), Status.Code.INVALID_ARGUMENT, e.getStatusCode());
    assertThat(e.getDescription(), containsString("account_sid"));
    assertThat(e.getMessage(), containsString("INVALID_ARGUMENT"));
  }

  @Test
  public void zeroTtlIsInvalidArgumentNamingTheField() {
    TokenServiceException e = mintFails(request()
        .addScopes(Capabilities.clientIncoming("alice"))
        .setTtl(Capabilities.durationOf(Duration.ZERO))
        .build());
    assertEquals(e.toString(), Status.Code.INVALID_ARGUMENT, e.getStatusCode());
    assertThat(e.getDescription(), containsString("ttl"));
  }

  @Test
  public void malformedApplicationSidNamesTheScope() {
    TokenServiceException e = mintFails(request()
        .addScopes(Capabilities.clientIncoming("alice"))
        .addScopes(Capabilities.clientOutgoing("AP-nope").build())
        .build());
    assertEquals(e.toString(), Status.Code.INVALID_ARGUMENT, e.getStatusCode());
    assertThat(e.getDescription(), containsString("scopes[1].client_outgoing.application_sid"));
  }

  @Test
  public void unknownAccountIsPermissionDenied() {
    TokenServiceException e = mintFails(Capabilities.request(OTHER_ACCOUNT)
        .addScopes(Capabilities.clientIncoming("alice"))
        .build());
    assertEquals(e.toString(), Status.Code.PERMISSION_DENIED, e.getStatusCode());
  }

  private static TokenServiceException mintFails(CapabilityRequest req) {
    try {
      MintedToken minted = client.mintCapabilityToken(req);
      throw new AssertionError("expected an error, got " + minted);
    } catch (TokenServiceException e) {
      return e;
    }
  }

  /** A server that accepts the connection and never answers: the deadline ends the call. */
  @Test(timeout = 60_000)
  public void deadlineExceededWhenTheServerNeverAnswers() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new CopyOnWriteArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept()); // hold it open, read nothing, write nothing
          }
        } catch (IOException closed) {
          // the test is over
        }
      }, "silent-server");
      acceptor.setDaemon(true);
      acceptor.start();

      long start = System.nanoTime();
      try (TokenClient impatient = TokenClient.builder("127.0.0.1:" + silent.getLocalPort())
          .deadline(Duration.ofMillis(300))
          .build()) {
        assertEquals(Duration.ofMillis(300), impatient.getDeadline());
        MintedToken minted = impatient.mintCapabilityToken(
            request().addScopes(Capabilities.clientIncoming("alice")).build());
        fail("expected DEADLINE_EXCEEDED, got " + minted);
      } catch (TokenServiceException e) {
        assertEquals(e.toString(), Status.Code.DEADLINE_EXCEEDED, e.getStatusCode());
      } finally {
        for (Socket s : accepted) {
          s.close();
        }
      }
      // Loose: the call ended because of the deadline, not after some long transport timeout.
      assertTrue("took " + (System.nanoTime() - start) / 1_000_000 + " ms",
          System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Verification.

  @Test
  public void verifyTokenAcceptsAMintedToken() {
    CapabilityRequest req = request()
        .setProfile(Profile.PROFILE_TWILIO_NODE)
        .addScopes(Capabilities.clientIncoming("alice"))
        .addScopes(Capabilities.clientOutgoing(APP)
            .param("To", "+1 555")
            .param("x&y", "=")
            .clientName("alice")
            .build())
        .addScopes(Capabilities.eventStream().filter("CallSid", "CA1").build())
        .build();
    MintedToken minted = client.mintCapabilityToken(req);

    VerifyTokenResponse verdict = client.verifyToken(minted.getToken(), ACCOUNT);
    assertTrue(verdict.toString(), verdict.getValid());
    assertEquals(VerificationFailure.VERIFICATION_FAILURE_UNSPECIFIED, verdict.getFailure());
    assertEquals(ACCOUNT, verdict.getAccountSid());
    assertEquals(req.getScopesList(), verdict.getScopesList());
    assertEquals(minted.getExpireTime(), Capabilities.instantOf(verdict.getExpireTime()));
    assertEquals(minted.getIssueTime().getEpochSecond(), verdict.getIssueTime().getSeconds());

    // Without an account: taken from the token.
    assertTrue(client.verifyToken(minted.getToken()).getValid());
  }

  @Test
  public void verifyTokenRejectsATamperedToken() {
    String token = client.mintCapabilityToken(
        request().addScopes(Capabilities.clientIncoming("alice")).build()).getToken();
    int dot = token.lastIndexOf('.');
    char last = token.charAt(dot + 1);
    String tampered = token.substring(0, dot + 1) + (last == 'A' ? 'B' : 'A')
        + token.substring(dot + 2);
    assertNotEquals(token, tampered);
    VerifyTokenResponse verdict = client.verifyToken(tampered, ACCOUNT);
    assertFalse(verdict.getValid());
    assertEquals(VerificationFailure.VERIFICATION_FAILURE_BAD_SIGNATURE, verdict.getFailure());
  }

  @Test
  public void verifyEmptyTokenIsInvalidArgument() {
    try {
      client.verifyToken("", ACCOUNT);
      fail("expected INVALID_ARGUMENT");
    } catch (TokenServiceException e) {
      assertEquals(e.toString(), Status.Code.INVALID_ARGUMENT, e.getStatusCode());
    }
  }

  /** A caller-supplied channel is used and left open by close(). */
  @Test
  public void callerOwnedChannelIsNotClosed() throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
    try {
      try (TokenClient borrowed = TokenClient.builder(channel).build()) {
        assertTrue(borrowed.mintCapabilityToken(
            request().addScopes(Capabilities.clientIncoming("alice")).build())
            .getToken().startsWith("eyJ"));
      }
      assertFalse(channel.isShutdown());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers.

  private static CapabilityRequest.Builder request() {
    return Capabilities.request(ACCOUNT);
  }

  /** `captoken sign capability` of the JSON request, at the given second. */
  private static String cliSign(String json, long issuedAt) throws Exception {
    return server.cliSign(
        "capability", json, "--auth-token-env", AUTH_TOKEN_ENV, authToken, issuedAt);
  }

  private static String hex(byte[] bytes) {
    StringBuilder s = new StringBuilder();
    for (byte b : bytes) {
      s.append(String.format("%02x", b));
    }
    return s.toString();
  }
}
