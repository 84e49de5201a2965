package dev.captoken.client;

import static org.hamcrest.CoreMatchers.containsString;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.captoken.v1.AccessGrant;
import dev.captoken.v1.AccessTokenClaims;
import dev.captoken.v1.AccessTokenRequest;
import dev.captoken.v1.CapabilityRequest;
import dev.captoken.v1.ChatGrant;
import dev.captoken.v1.MintRequest;
import dev.captoken.v1.Profile;
import dev.captoken.v1.SyncGrant;
import dev.captoken.v1.TaskRouterClaims;
import dev.captoken.v1.TaskRouterPolicySet;
import dev.captoken.v1.TaskRouterRequest;
import dev.captoken.v1.TokenKind;
import dev.captoken.v1.VerificationFailure;
import dev.captoken.v1.VerifyTokenResponse;
import dev.captoken.v1.VoiceGrant;
import io.grpc.Status;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.ErrorCollector;

/**
 * End-to-end: the TaskRouter, Access Token and BatchMint calls against the real server binary
 * (whose account has API keys as well as an auth token, all random per run), each token compared
 * byte for byte with {@code captoken sign taskrouter|access} of the same request at the
 * response's issue second.
 */
public class TokensE2ETest {
  private static final String ACCOUNT = "AC0123456789abcdef0123456789abcdef";
  private static final String UNKNOWN = "AC11111111111111111111111111111111";
  private static final String WORKSPACE = "WS0123456789abcdef0123456789abcdef";
  private static final String WORKER = "WK0123456789abcdef0123456789abcdef";
  private static final String QUEUE = "WQ0123456789abcdef0123456789abcdef";
  private static final String APP = "AP89abcdef0123456789abcdef01234567";
  private static final String CREDENTIAL = "CR0123456789abcdef0123456789abcdef";
  private static final String SERVICE = "IS0123456789abcdef0123456789abcdef";
  private static final String SYNC_SERVICE = "ISfedcba9876543210fedcba9876543210";
  private static final String ROLE = "RL0123456789abcdef0123456789abcdef";
  // The account's API keys, in config order: a retired (verify-only) key first, so that the
  // server's default is KEY, the first that may sign.
  private static final String RETIRED_KEY = "SK00000000000000000000000000000000";
  private static final String KEY = "SK0123456789abcdef0123456789abcdef";
  private static final String OTHER_KEY = "SKfedcba9876543210fedcba9876543210";
  private static final String UNKNOWN_KEY = "SK11111111111111111111111111111111";
  private static final String AUTH_ENV = "JAVA_E2E_TOKENS_AUTH_TOKEN";
  private static final Map<String, String> KEY_ENVS = Map.of(
      RETIRED_KEY, "JAVA_E2E_RETIRED_KEY_SECRET",
      KEY, "JAVA_E2E_KEY_SECRET",
      OTHER_KEY, "JAVA_E2E_OTHER_KEY_SECRET");
  /** The flag of {@code captoken sign access} that names the API key secret's variable. */
  private static final String API_KEY_SECRET_FLAG = "--api-key-secret-env";
  private static final String TR = "https://taskrouter.twilio.com/v1/Workspaces/" + WORKSPACE;
  private static final String PLAYBACK =
      "{\"requestCredentials\":null,\"playbackUrl\":\"https://example.com/p.m3u8\","
          + "\"playerStreamerSid\":\"VJ0123456789abcdef0123456789abcdef\"}";
  private static final List<Profile> PROFILES = List.of(
      Profile.PROFILE_UNSPECIFIED, Profile.PROFILE_TWILIO_PYTHON, Profile.PROFILE_TWILIO_NODE);

  private static final AccessGrant VOICE = AccessTokens.voice(VoiceGrant.newBuilder()
      .setIncomingAllow(true)
      .setOutgoingApplicationSid(APP)
      .setOutgoingApplicationParamsJson("{\"To\":\"+1 555 123 4567\",\"n\":42,\"Zo\u00eb\":\"a&b\"}")
      .setPushCredentialSid(CREDENTIAL)
      .setEndpointId("alice-web")
      .build());
  private static final AccessGrant CHAT = AccessTokens.chat(ChatGrant.newBuilder()
      .setServiceSid(SERVICE)
      .setEndpointId("alice:web")
      .setDeploymentRoleSid(ROLE)
      .setPushCredentialSid(CREDENTIAL)
      .build());
  private static final AccessGrant SYNC = AccessTokens.sync(
      SyncGrant.newBuilder().setServiceSid(SYNC_SERVICE).setEndpointId("sync-1").build());
  private static final AccessGrant TASKROUTER_GRANT =
      AccessTokens.taskRouter(WORKSPACE, WORKER, "worker");

  private static String authToken;
  private static final Map<String, String> keySecrets = new HashMap<>();
  private static TestServer server;
  private static TokenClient client;

  @Rule public final ErrorCollector errors = new ErrorCollector();

  @BeforeClass
  public static void startServer() throws Exception {
    authToken = randomSecret();
    Map<String, String> env = new HashMap<>();
    env.put(AUTH_ENV, authToken);
    for (Map.Entry<String, String> key : KEY_ENVS.entrySet()) {
      keySecrets.put(key.getKey(), randomSecret());
      env.put(key.getValue(), keySecrets.get(key.getKey()));
    }
    server = new TestServer(List.of(
        "accounts { account_sid: \"" + ACCOUNT + "\" auth_token { env: \"" + AUTH_ENV + "\" }",
        "  api_keys { sid: \"" + RETIRED_KEY + "\" secret { env: \"" + KEY_ENVS.get(RETIRED_KEY)
            + "\" } verify_only: true }",
        "  api_keys { sid: \"" + KEY + "\" secret { env: \"" + KEY_ENVS.get(KEY) + "\" } }",
        "  api_keys { sid: \"" + OTHER_KEY + "\" secret { env: \"" + KEY_ENVS.get(OTHER_KEY)
            + "\" } } }"), env);
    client = TokenClient.builder(server.target).deadline(Duration.ofSeconds(10)).build();
  }

  @AfterClass
  public static void stopServer() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // TaskRouter tokens.

  /** The request shapes (without profile and lifetime); "deny" cases are python-only. */
  private static Map<String, TaskRouterRequest.Builder> taskRouterCases() {
    Map<String, TaskRouterRequest.Builder> cases = new LinkedHashMap<>();
    cases.put("worker, python sets", TaskRouter.request(ACCOUNT, WORKSPACE, WORKER)
        .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS)
        .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_UPDATE_ACTIVITIES)
        .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_UPDATE_RESERVATIONS));
    cases.put("worker, node sets", TaskRouter.request(ACCOUNT, WORKSPACE, WORKER)
        .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_EVENT_BRIDGE)
        .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_NODE_WORKER_DEFAULTS)
        .setFriendlyName("Alice Agent"));
    cases.put("worker, explicit policies", explicitPolicies());
    cases.put("worker, deny", TaskRouter.request(ACCOUNT, WORKSPACE, WORKER)
        .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS)
        .addPolicies(TaskRouter.policy(TR + "/Tasks/**", "DELETE").setDeny(true)));
    cases.put("task queue", TaskRouter.request(ACCOUNT, WORKSPACE, QUEUE)
        .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS)
        .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_FETCH_SUBRESOURCES)
        .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_UPDATE_SELF));
    cases.put("task queue, bare", TaskRouter.request(ACCOUNT, WORKSPACE, QUEUE));
    cases.put("workspace", TaskRouter.request(ACCOUNT, WORKSPACE, WORKSPACE)
        .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_EVENT_BRIDGE)
        .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_UPDATE_SUBRESOURCES)
        .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_DELETE_SUBRESOURCES)
        .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_DELETE_SELF)
        .setFriendlyName("Main"));
    cases.put("workspace, python defaults", TaskRouter.request(ACCOUNT, WORKSPACE, WORKSPACE)
        .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS));
    return cases;
  }

  private static TaskRouterRequest.Builder explicitPolicies() {
    return TaskRouter.request(ACCOUNT, WORKSPACE, WORKER)
        .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_EVENT_BRIDGE)
        .addPolicies(TaskRouter.policy(TR + "/Tasks/**", "POST")
            .addQueryFilter(TaskRouter.required("Zeta", true))
            .addQueryFilter(TaskRouter.constraint("Alpha", "{\"required\":false}"))
            .addPostFilter(TaskRouter.required("ActivitySid", true)))
        .addPolicies(TaskRouter.policy(TR + "/Activities", "GET"))
        .addPolicies(TaskRouter.policy(TR + "/Workers/" + WORKER, "DELETE"))
        .setFriendlyName("Zo\u00eb \"&\" Co \u2713")
        .setVersion("v1");
  }

  @Test
  public void taskRouterTokensMatchTheCli() {
    Instant expireAt = Instant.now().plusSeconds(1800).truncatedTo(ChronoUnit.SECONDS);
    int checked = 0;
    for (Map.Entry<String, TaskRouterRequest.Builder> c : taskRouterCases().entrySet()) {
      boolean deny = c.getKey().contains("deny");
      for (Profile profile : PROFILES) {
        if (deny && profile == Profile.PROFILE_TWILIO_NODE) {
          continue;
        }
        for (Map.Entry<String, UnaryOperator<Lifetime>> life : lifetimes(expireAt).entrySet()) {
          String what = c.getKey() + ", " + profile + ", " + life.getKey();
          TaskRouterRequest.Builder b = c.getValue().clone().setProfile(profile);
          Lifetime lifetime = life.getValue().apply(new Lifetime());
          lifetime.apply(b::setTtl, b::setExpireTime);
          TaskRouterRequest req = b.build();
          check(what, () -> {
            MintedToken minted = client.mintTaskRouterToken(req);
            checkMinted(what, minted, req, profile, lifetime);
            JsonObject claims = segment(minted.getToken(), 1);
            assertEquals(what, ACCOUNT, claims.get("iss").getAsString());
            assertEquals(what, ACCOUNT, claims.get("account_sid").getAsString());
            assertEquals(what, WORKSPACE, claims.get("workspace_sid").getAsString());
            assertEquals(what, req.getChannelId(), claims.get("channel").getAsString());
            if (req.getChannelId().startsWith("WK")) {
              assertEquals(what, WORKER, claims.get("worker_sid").getAsString());
            } else if (req.getChannelId().startsWith("WQ")) {
              assertEquals(what, QUEUE, claims.get("taskqueue_sid").getAsString());
            }
            // The request's own policies come last, in order.
            JsonArray policies = claims.getAsJsonArray("policies");
            int own = req.getPoliciesCount();
            for (int i = 0; i < own; i++) {
              JsonObject p = policies.get(policies.size() - own + i).getAsJsonObject();
              assertEquals(what, req.getPolicies(i).getUrl(), p.get("url").getAsString());
              assertEquals(what, !req.getPolicies(i).getDeny(), p.get("allow").getAsBoolean());
            }
            return null;
          });
          checked++;
        }
      }
    }
    assertEquals((8 * 3 - 1) * 4, checked);
  }

  @Test
  public void verifyGivesTaskRouterKindAndClaims() {
    for (Profile profile : List.of(Profile.PROFILE_TWILIO_PYTHON, Profile.PROFILE_TWILIO_NODE)) {
      // Policies as VerifyToken gives them back: explicit methods, boolean filters.
      TaskRouterRequest req = TaskRouter.request(ACCOUNT, WORKSPACE, WORKER)
          .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_EVENT_BRIDGE)
          .addPolicies(TaskRouter.policy(TR + "/Tasks/**", "POST")
              .addQueryFilter(TaskRouter.required("Zeta", true))
              .addQueryFilter(TaskRouter.required("Alpha", false))
              .addPostFilter(TaskRouter.required("ActivitySid", true)))
          .addPolicies(TaskRouter.policy(TR + "/Activities", "GET"))
          .addPolicies(TaskRouter.policy(TR + "/Workers/" + WORKER, "DELETE"))
          .setFriendlyName("Zo\u00eb \"&\" Co \u2713")
          .setVersion("v1")
          .setProfile(profile)
          .build();
      MintedToken minted = client.mintTaskRouterToken(req);
      for (String account : new String[] {null, ACCOUNT}) {
        VerifyTokenResponse v = client.verifyToken(minted.getToken(), account);
        assertTrue(v.toString(), v.getValid());
        assertEquals(TokenKind.TOKEN_KIND_TASKROUTER, v.getKind());
        assertEquals(ACCOUNT, v.getAccountSid());
        assertEquals(minted.getExpireTime(), Capabilities.instantOf(v.getExpireTime()));
        assertFalse(v.hasAccess());
        assertEquals(0, v.getScopesCount());
        TaskRouterClaims claims = v.getTaskrouter();
        assertEquals(WORKSPACE, claims.getWorkspaceSid());
        assertEquals(WORKER, claims.getChannelId());
        assertEquals("v1", claims.getVersion());
        assertEquals(req.getFriendlyName(), claims.getFriendlyName());
        // The event bridge's GET and POST, then the request's own.
        assertEquals(2 + req.getPoliciesCount(), claims.getPoliciesCount());
        assertEquals(req.getPoliciesList(),
            claims.getPoliciesList().subList(2, claims.getPoliciesCount()));
      }
    }
  }

  @Test
  public void taskRouterErrorsNameTheField() {
    Map<String, TaskRouterRequest.Builder> cases = new LinkedHashMap<>();
    cases.put("account_sid", TaskRouter.request("AC123", WORKSPACE, WORKER));
    cases.put("workspace_sid", TaskRouter.request(ACCOUNT, "WS123", WORKER));
    cases.put("channel_id",
        TaskRouter.request(ACCOUNT, WORKSPACE, "CA0123456789abcdef0123456789abcdef"));
    cases.put("ttl", TaskRouter.request(ACCOUNT, WORKSPACE, WORKER)
        .setTtl(Capabilities.durationOf(Duration.ZERO)));
    cases.put("policies[0].url", TaskRouter.request(ACCOUNT, WORKSPACE, WORKER)
        .addPolicies(TaskRouter.policy("http://x/y", "GET")));
    cases.put("policies[1].method", TaskRouter.request(ACCOUNT, WORKSPACE, WORKER)
        .addPolicies(TaskRouter.policy(TR + "/Tasks", "GET"))
        .addPolicies(TaskRouter.policy(TR + "/Tasks", "PATCH")));
    cases.put("policies[0]", TaskRouter.request(ACCOUNT, WORKSPACE, WORKER)  // deny under node
        .setProfile(Profile.PROFILE_TWILIO_NODE)
        .addPolicies(TaskRouter.policy(TR + "/Tasks/**", "GET").setDeny(true)));
    for (Map.Entry<String, TaskRouterRequest.Builder> c : cases.entrySet()) {
      check(c.getKey(), () -> {
        TokenServiceException e = fails(() -> client.mintTaskRouterToken(c.getValue().build()));
        assertEquals(e.toString(), Status.Code.INVALID_ARGUMENT, e.getStatusCode());
        assertThat(e.getDescription(), containsString(c.getKey()));
        return null;
      });
    }
    TokenServiceException e =
        fails(() -> client.mintTaskRouterToken(TaskRouter.request(UNKNOWN, WORKSPACE, WORKER).build()));
    assertEquals(e.toString(), Status.Code.PERMISSION_DENIED, e.getStatusCode());
  }

  // ---------------------------------------------------------------------------------------------
  // Access Tokens.

  private static Map<String, AccessTokenRequest.Builder> accessCases() {
    Map<String, AccessTokenRequest.Builder> cases = new LinkedHashMap<>();
    cases.put("identity only", AccessTokens.request(ACCOUNT, "alice").setApiKeySid(KEY));
    cases.put("voice", AccessTokens.request(ACCOUNT, "alice").setApiKeySid(KEY).addGrants(VOICE));
    cases.put("voice outgoing without params", AccessTokens.request(ACCOUNT, "alice")
        .setApiKeySid(KEY)
        .addGrants(AccessTokens.voice(VoiceGrant.newBuilder().setOutgoingApplicationSid(APP).build())));
    cases.put("chat, video, sync, other key", AccessTokens.request(ACCOUNT, "bob_smith")
        .setApiKeySid(OTHER_KEY)
        .addGrants(CHAT).addGrants(AccessTokens.video("standup")).addGrants(SYNC));
    cases.put("every grant", AccessTokens.request(ACCOUNT, "agent 7")
        .setApiKeySid(KEY)
        .addGrants(VOICE).addGrants(CHAT).addGrants(AccessTokens.video("")).addGrants(SYNC)
        .addGrants(TASKROUTER_GRANT).addGrants(AccessTokens.playback(PLAYBACK)));
    cases.put("repeated kind and region", AccessTokens.request(ACCOUNT, "zo\u00eb \ud83d\ude00")
        .setApiKeySid(KEY)
        .setRegion("ie1")
        .addGrants(AccessTokens.video("first")).addGrants(CHAT)
        .addGrants(AccessTokens.video("second")));
    cases.put("not before", AccessTokens.request(ACCOUNT, "carol")
        .setApiKeySid(KEY)
        .addGrants(TASKROUTER_GRANT)
        .setNotBefore(Capabilities.timestampOf(
            Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS))));
    return cases;
  }

  @Test
  public void accessTokensMatchTheCli() {
    Instant expireAt = Instant.now().plusSeconds(1800).truncatedTo(ChronoUnit.SECONDS);
    int checked = 0;
    for (Map.Entry<String, AccessTokenRequest.Builder> c : accessCases().entrySet()) {
      for (Profile profile : PROFILES) {
        for (Map.Entry<String, UnaryOperator<Lifetime>> life : lifetimes(expireAt).entrySet()) {
          String what = c.getKey() + ", " + profile + ", " + life.getKey();
          AccessTokenRequest.Builder b = c.getValue().clone().setProfile(profile);
          Lifetime lifetime = life.getValue().apply(new Lifetime());
          lifetime.apply(b::setTtl, b::setExpireTime);
          AccessTokenRequest req = b.build();
          check(what, () -> {
            MintedToken minted = client.mintAccessToken(req);
            checkMinted(what, minted, req, profile, lifetime);
            JsonObject header = segment(minted.getToken(), 0);
            JsonObject claims = segment(minted.getToken(), 1);
            assertEquals(what, "twilio-fpa;v=1", header.get("cty").getAsString());
            assertEquals(what, req.getRegion(),
                header.has("twr") ? header.get("twr").getAsString() : "");
            assertEquals(what, req.getApiKeySid(), claims.get("iss").getAsString());
            assertEquals(what, ACCOUNT, claims.get("sub").getAsString());
            assertTrue(what, claims.get("jti").getAsString().startsWith(req.getApiKeySid() + "-"));
            JsonObject grants = claims.getAsJsonObject("grants");
            assertEquals(what, req.getIdentity(), grants.get("identity").getAsString());
            if (req.hasNotBefore()) {
              assertEquals(what, req.getNotBefore().getSeconds(), claims.get("nbf").getAsLong());
            } else {
              assertFalse(what, claims.has("nbf"));
            }
            if (c.getKey().startsWith("repeated")) {
              // A later grant of a kind replaces the earlier in its place.
              assertEquals(what, "second",
                  grants.getAsJsonObject("video").get("room").getAsString());
              List<String> keys = new ArrayList<>(grants.keySet());
              keys.remove("identity");
              assertEquals(what, List.of("video", "chat"), keys);
            }
            return null;
          });
          checked++;
        }
      }
    }
    assertEquals(7 * 3 * 4, checked);
  }

  @Test
  public void verifyGivesAccessKindAndClaims() {
    Instant nbf = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.SECONDS);
    List<AccessGrant> grants =
        List.of(VOICE, CHAT, AccessTokens.video("standup"), SYNC, TASKROUTER_GRANT);
    for (Profile profile : List.of(Profile.PROFILE_TWILIO_PYTHON, Profile.PROFILE_TWILIO_NODE)) {
      MintedToken minted = client.mintAccessToken(AccessTokens.request(ACCOUNT, "alice")
          .setApiKeySid(OTHER_KEY)
          .addAllGrants(grants)
          .setTtl(Capabilities.durationOf(Duration.ofMinutes(5)))
          .setRegion("au1")
          .setNotBefore(Capabilities.timestampOf(nbf))
          .setProfile(profile)
          .build());
      for (String account : new String[] {null, ACCOUNT}) {
        VerifyTokenResponse v = client.verifyToken(minted.getToken(), account);
        assertTrue(v.toString(), v.getValid());
        assertEquals(TokenKind.TOKEN_KIND_ACCESS, v.getKind());
        assertEquals(ACCOUNT, v.getAccountSid());
        assertEquals(minted.getExpireTime(), Capabilities.instantOf(v.getExpireTime()));
        assertFalse(v.hasTaskrouter());
        AccessTokenClaims a = v.getAccess();
        assertEquals(OTHER_KEY, a.getApiKeySid());
        assertEquals("alice", a.getIdentity());
        assertEquals(segment(minted.getToken(), 1).get("jti").getAsString(), a.getTokenId());
        assertEquals("au1", a.getRegion());
        assertEquals(nbf, Capabilities.instantOf(a.getNotBefore()));
        assertEquals(grants.size(), a.getGrantsCount());
        // Voice parameters may come back re-serialized; the other grants exactly.
        assertEquals(grants.subList(1, grants.size()), a.getGrantsList().subList(1, grants.size()));
        VoiceGrant voice = a.getGrants(0).getVoice();
        assertTrue(voice.getIncomingAllow());
        assertEquals(APP, voice.getOutgoingApplicationSid());
        assertEquals(JsonParser.parseString(VOICE.getVoice().getOutgoingApplicationParamsJson()),
            JsonParser.parseString(voice.getOutgoingApplicationParamsJson()));
      }
    }
  }

  @Test
  public void verifyTellsTheKindsApartAndTheDefaultKey() {
    MintedToken capability = client.mintCapabilityToken(Capabilities.request(ACCOUNT)
        .addScopes(Capabilities.clientIncoming("alice")).build());
    MintedToken taskRouter =
        client.mintTaskRouterToken(TaskRouter.request(ACCOUNT, WORKSPACE, QUEUE).build());
    // No API key named: the server's first that may sign.
    MintedToken access = client.mintAccessToken(
        AccessTokens.request(ACCOUNT, "alice").addGrants(AccessTokens.video("")).build());
    assertEquals(TokenKind.TOKEN_KIND_CAPABILITY,
        client.verifyToken(capability.getToken()).getKind());
    assertEquals(TokenKind.TOKEN_KIND_TASKROUTER,
        client.verifyToken(taskRouter.getToken()).getKind());
    VerifyTokenResponse v = client.verifyToken(access.getToken());
    assertEquals(TokenKind.TOKEN_KIND_ACCESS, v.getKind());
    assertTrue(v.getValid());
    assertEquals(KEY, v.getAccess().getApiKeySid());
    assertEquals(KEY, segment(access.getToken(), 1).get("iss").getAsString());

    String token = access.getToken();
    int dot = token.lastIndexOf('.');
    String tampered = token.substring(0, dot + 1)
        + (token.charAt(dot + 1) == 'A' ? 'B' : 'A') + token.substring(dot + 2);
    VerifyTokenResponse bad = client.verifyToken(tampered);
    assertFalse(bad.getValid());
    assertEquals(VerificationFailure.VERIFICATION_FAILURE_BAD_SIGNATURE, bad.getFailure());
    assertFalse(bad.hasAccess());
  }

  @Test
  public void accessTokenErrorsNameTheField() {
    Map<String, AccessTokenRequest.Builder> cases = new LinkedHashMap<>();
    cases.put("identity", AccessTokens.request(ACCOUNT, "").setApiKeySid(KEY));
    cases.put("account_sid", AccessTokens.request("AC123", "alice").setApiKeySid(KEY));
    cases.put("api_key_sid", AccessTokens.request(ACCOUNT, "alice").setApiKeySid("SK123"));
    cases.put("grants[1].voice.outgoing_application_sid", AccessTokens.request(ACCOUNT, "alice")
        .setApiKeySid(KEY)
        .addGrants(AccessTokens.video(""))
        .addGrants(AccessTokens.voice(VoiceGrant.newBuilder().setOutgoingApplicationSid("AP1").build())));
    cases.put("grants[0].chat.service_sid", AccessTokens.request(ACCOUNT, "alice")
        .setApiKeySid(KEY)
        .addGrants(AccessTokens.chat(ChatGrant.newBuilder().setServiceSid("IS1").build())));
    cases.put("grants[0].voice.outgoing_application_params", AccessTokens.request(ACCOUNT, "alice")
        .setApiKeySid(KEY)
        .addGrants(AccessTokens.voice(VoiceGrant.newBuilder()
            .setOutgoingApplicationSid(APP).setOutgoingApplicationParamsJson("{\"n\":1.5}").build())));
    cases.put("region", AccessTokens.request(ACCOUNT, "alice").setApiKeySid(KEY).setRegion("eu west"));
    cases.put("ttl", AccessTokens.request(ACCOUNT, "alice").setApiKeySid(KEY)
        .setTtl(Capabilities.durationOf(Duration.ofHours(24).plusSeconds(1))));
    for (Map.Entry<String, AccessTokenRequest.Builder> c : cases.entrySet()) {
      check(c.getKey(), () -> {
        TokenServiceException e = fails(() -> client.mintAccessToken(c.getValue().build()));
        assertEquals(e.toString(), Status.Code.INVALID_ARGUMENT, e.getStatusCode());
        assertThat(e.getDescription(), containsString(c.getKey()));
        return null;
      });
    }
    for (AccessTokenRequest req : List.of(
        AccessTokens.request(UNKNOWN, "alice").build(),
        AccessTokens.request(ACCOUNT, "alice").setApiKeySid(UNKNOWN_KEY).build(),
        AccessTokens.request(ACCOUNT, "alice").setApiKeySid(RETIRED_KEY).build())) {
      TokenServiceException e = fails(() -> client.mintAccessToken(req));
      assertEquals(e.toString(), Status.Code.PERMISSION_DENIED, e.getStatusCode());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // BatchMint.

  @Test
  public void batchMintKeepsOrderAndItemCodes() throws Exception {
    CapabilityRequest capability = Capabilities.request(ACCOUNT)
        .setProfile(Profile.PROFILE_TWILIO_NODE)
        .addScopes(Capabilities.clientIncoming("alice"))
        .build();
    TaskRouterRequest worker = TaskRouter.request(ACCOUNT, WORKSPACE, WORKER)
        .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS)
        .setTtl(Capabilities.durationOf(Duration.ofMinutes(10)))
        .build();
    AccessTokenRequest access = AccessTokens.request(ACCOUNT, "alice")
        .setApiKeySid(KEY)
        .addGrants(VOICE)
        .addGrants(AccessTokens.video("standup"))
        .setProfile(Profile.PROFILE_TWILIO_NODE)
        .build();
    TaskRouterRequest queue = TaskRouter.request(ACCOUNT, WORKSPACE, QUEUE)
        .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_EVENT_BRIDGE)
        .setFriendlyName("Queue")
        .setProfile(Profile.PROFILE_TWILIO_NODE)
        .build();
    List<Message> requests = List.of(
        capability,
        worker,
        AccessTokens.request(ACCOUNT, "").setApiKeySid(KEY).build(),
        access,
        TaskRouter.request(ACCOUNT, WORKSPACE, "WK123").build(),
        Capabilities.request("AC123").build(),
        AccessTokens.request(UNKNOWN, "alice").build(),
        queue);
    List<Status.Code> codes = List.of(Status.Code.OK, Status.Code.OK,
        Status.Code.INVALID_ARGUMENT, Status.Code.OK, Status.Code.INVALID_ARGUMENT,
        Status.Code.INVALID_ARGUMENT, Status.Code.PERMISSION_DENIED, Status.Code.OK);
    List<String> fields = java.util.Arrays.asList(
        null, null, "identity", null, "channel_id", "account_sid", null, null);
    List<MintRequest> items = new ArrayList<>();
    for (Message m : requests) {
      items.add(m instanceof CapabilityRequest ? Batch.item((CapabilityRequest) m)
          : m instanceof TaskRouterRequest ? Batch.item((TaskRouterRequest) m)
          : Batch.item((AccessTokenRequest) m));
    }
    long started = Instant.now().getEpochSecond();
    List<BatchMintResult> results = client.batchMint(items);
    assertEquals(items.size(), results.size());
    for (int i = 0; i < results.size(); i++) {
      BatchMintResult r = results.get(i);
      String what = "item " + i + ": " + r;
      assertEquals(what, codes.get(i), r.getStatusCode());
      if (r.isOk()) {
        assertEquals(what, "", r.getMessage());
        assertNull(what, r.toException());
        MintedToken minted = r.getToken();
        assertTrue(what, minted.getIssueTime().getEpochSecond() >= started);
        assertEquals(what, cliSign(requests.get(i), minted.getIssueTime().getEpochSecond()),
            minted.getToken());
        assertTrue(what, client.verifyToken(minted.getToken()).getValid());
        assertFalse(what, r.toString().contains(minted.getToken()));
      } else {
        assertFalse(what, r.getMessage().isEmpty());
        if (fields.get(i) != null) {
          assertThat(what, r.getMessage(), containsString(fields.get(i)));
        }
        TokenServiceException e = r.toException();
        assertEquals(what, codes.get(i), e.getStatusCode());
        assertEquals(what, r.getMessage(), e.getDescription());
        try {
          r.getToken();
          fail(what + ": getToken() of a failed item must throw");
        } catch (TokenServiceException thrown) {
          assertEquals(codes.get(i), thrown.getStatusCode());
        }
      }
    }

    // An item fails as the single call would.
    TaskRouterRequest bad = TaskRouter.request(ACCOUNT, "WS1", WORKER).build();
    TokenServiceException single = fails(() -> client.mintTaskRouterToken(bad));
    BatchMintResult item = client.batchMint(Batch.item(bad)).get(0);
    assertEquals(single.getStatusCode(), item.getStatusCode());
    assertEquals(single.getDescription(), item.getMessage());
  }

  @Test
  public void emptyAndOversizedBatchesFailTheWholeCall() {
    TokenServiceException empty = fails(() -> client.batchMint(List.of()));
    assertEquals(empty.toString(), Status.Code.INVALID_ARGUMENT, empty.getStatusCode());
    MintRequest item = Batch.item(Capabilities.request(ACCOUNT).build());
    TokenServiceException tooMany =
        fails(() -> client.batchMint(Collections.nCopies(101, item)));
    assertEquals(tooMany.toString(), Status.Code.INVALID_ARGUMENT, tooMany.getStatusCode());
    assertEquals(100, client.batchMint(Collections.nCopies(100, item)).size());
  }

  /** Every new call carries the client's deadline. */
  @Test(timeout = 60_000)
  public void newCallsHaveTheDeadline() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new CopyOnWriteArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
          }
        } catch (IOException closed) {
          // the test is over
        }
      }, "silent-server");
      acceptor.setDaemon(true);
      acceptor.start();
      try (TokenClient impatient = TokenClient.builder("127.0.0.1:" + silent.getLocalPort())
          .deadline(Duration.ofMillis(300))
          .build()) {
        Map<String, Supplier<Object>> calls = new LinkedHashMap<>();
        calls.put("mintTaskRouterToken", () ->
            impatient.mintTaskRouterToken(TaskRouter.request(ACCOUNT, WORKSPACE, WORKER).build()));
        calls.put("mintAccessToken", () ->
            impatient.mintAccessToken(AccessTokens.request(ACCOUNT, "alice").build()));
        calls.put("batchMint", () ->
            impatient.batchMint(Batch.item(AccessTokens.request(ACCOUNT, "alice").build())));
        for (Map.Entry<String, Supplier<Object>> call : calls.entrySet()) {
          long start = System.nanoTime();
          TokenServiceException e = fails(call.getValue());
          assertEquals(call.getKey() + ": " + e, Status.Code.DEADLINE_EXCEEDED, e.getStatusCode());
          assertTrue(call.getKey(), System.nanoTime() - start < 20_000_000_000L);
        }
      } finally {
        for (Socket s : accepted) {
          s.close();
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers.

  /** A lifetime: none (3600 s), a ttl, or an absolute expiry. */
  private static final class Lifetime {
    Duration ttl;
    Instant expireTime;

    void apply(java.util.function.Consumer<com.google.protobuf.Duration> setTtl,
        java.util.function.Consumer<com.google.protobuf.Timestamp> setExpireTime) {
      if (ttl != null) {
        setTtl.accept(Capabilities.durationOf(ttl));
      }
      if (expireTime != null) {
        setExpireTime.accept(Capabilities.timestampOf(expireTime));
      }
    }

    Instant expiry(Instant issued) {
      return expireTime != null ? expireTime : issued.plus(ttl != null ? ttl : Duration.ofHours(1));
    }
  }

  private static Map<String, UnaryOperator<Lifetime>> lifetimes(Instant expireAt) {
    Map<String, UnaryOperator<Lifetime>> out = new LinkedHashMap<>();
    out.put("no ttl", l -> l);
    out.put("ttl 600 s", l -> {
      l.ttl = Duration.ofSeconds(600);
      return l;
    });
    out.put("ttl 24 h", l -> {
      l.ttl = Duration.ofHours(24);
      return l;
    });
    out.put("expire_time", l -> {
      l.expireTime = expireAt;
      return l;
    });
    return out;
  }

  private static void checkMinted(String what, MintedToken minted, Message req, Profile profile,
      Lifetime lifetime) throws Exception {
    long issuedAt = minted.getIssueTime().getEpochSecond();
    assertEquals(what + ": token differs from `captoken sign`", cliSign(req, issuedAt),
        minted.getToken());
    assertEquals(what + ": profile",
        profile == Profile.PROFILE_UNSPECIFIED ? Profile.PROFILE_TWILIO_PYTHON : profile,
        minted.getProfile());
    assertEquals(what + ": expiry", lifetime.expiry(minted.getIssueTime()),
        minted.getExpireTime());
    assertEquals(what + ": exp claim", minted.getExpireTime().getEpochSecond(),
        segment(minted.getToken(), 1).get("exp").getAsLong());
    assertFalse(what, minted.toString().contains(minted.getToken()));
  }

  /** `captoken sign capability|taskrouter|access` of the request, at the given second. */
  private static String cliSign(Message req, long issuedAt) throws Exception {
    String json = JsonFormat.printer().print(req);
    if (req instanceof TaskRouterRequest) {
      return server.cliSign("taskrouter", json, "--auth-token-env", AUTH_ENV, authToken, issuedAt);
    }
    if (req instanceof AccessTokenRequest) {
      String sid = ((AccessTokenRequest) req).getApiKeySid();
      sid = sid.isEmpty() ? KEY : sid;
      return server.cliSign("access", json, API_KEY_SECRET_FLAG, KEY_ENVS.get(sid),
          keySecrets.get(sid), issuedAt);
    }
    return server.cliSign("capability", json, "--auth-token-env", AUTH_ENV, authToken, issuedAt);
  }

  private static JsonObject segment(String token, int index) {
    String[] parts = token.split("\\.");
    assertEquals("a compact JWT has three segments", 3, parts.length);
    JsonElement e = JsonParser.parseString(
        new String(Base64.getUrlDecoder().decode(parts[index]), StandardCharsets.UTF_8));
    return e.getAsJsonObject();
  }

  private static TokenServiceException fails(Supplier<?> call) {
    try {
      Object result = call.get();
      throw new AssertionError("expected an error, got " + result);
    } catch (TokenServiceException e) {
      return e;
    }
  }

  /** Runs one case, collecting its failure so the other cases still run. */
  private void check(String what, java.util.concurrent.Callable<Void> body) {
    try {
      body.call();
    } catch (Throwable t) {
      errors.addError(new AssertionError(what + ": " + t, t));
    }
  }

  private static String randomSecret() {
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    StringBuilder s = new StringBuilder("java-e2e-");
    for (byte b : secret) {
      s.append(String.format("%02x", b));
    }
    return s.toString();
  }
}
