// Tests for token_minter.h beyond capability tokens: TaskRouter tokens and
// Access Tokens are minted byte for byte as the token library signs the
// same spec, with the right key (the auth token; the named or first signing
// API key), refused with the documented codes and fixed messages, capped in
// lifetime, governed by caller policies (kinds, grants, identities), and
// audited without identities; BatchMint answers each item as its single
// call would, in order, with each item counted against the rate; and
// VerifyToken checks every kind with the right keys.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "captoken/v1/access_token.pb.h"
#include "captoken/v1/config.pb.h"
#include "captoken/v1/taskrouter.pb.h"
#include "captoken/v1/token_service.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "service/authz/caller_identity.h"
#include "service/authz/caller_policy.h"
#include "service/config/account_keys.h"
#include "service/convert/access_token_request.h"
#include "service/convert/taskrouter_request.h"
#include "service/mint/token_minter.h"
#include "service/token/access_token_signer.h"
#include "service/token/access_token_verifier.h"
#include "service/token/api_key.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/taskrouter_signer.h"
#include "service/token/taskrouter_verifier.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_keys.h"
#include "tests/testing/test_policies.h"

namespace captoken::mint {
namespace {

using ::captoken::testing::TestKey;
using ::captoken::testing::TestOpenAccess;
using ::captoken::testing::TestPolicies;

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSid[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kNoKeysSid[] = "AC22222222222222222222222222222222";
constexpr char kVerifyOnlySid[] = "ACfedcba9876543210fedcba9876543210";
constexpr char kRetiredKeysSid[] = "AC33333333333333333333333333333333";
constexpr char kUnknownSid[] = "AC99999999999999999999999999999999";
constexpr char kWorkspaceSid[] = "WS0123456789abcdef0123456789abcdef";
constexpr char kWorkerSid[] = "WK0123456789abcdef0123456789abcdef";
constexpr char kQueueSid[] = "WQ0123456789abcdef0123456789abcdef";

// kSid's keys: the first verify-only, then two that sign.
constexpr char kRetiredKey[] = "SK00000000000000000000000000000001";
constexpr char kFirstKey[] = "SK00000000000000000000000000000002";
constexpr char kSecondKey[] = "SK00000000000000000000000000000003";
// kVerifyOnlySid's key and kRetiredKeysSid's only (verify-only) key.
constexpr char kVerifyOnlyAccountKey[] = "SK00000000000000000000000000000004";
constexpr char kOnlyRetiredKey[] = "SK00000000000000000000000000000005";
constexpr char kUnknownKey[] = "SK99999999999999999999999999999999";

constexpr char kSecret[] = "kinds-test-auth-token-0123456789";
constexpr char kOtherSecret[] = "kinds-test-other-auth-token-abcd";
// The identity no audit record or error may contain.
constexpr char kIdentity[] = "alice_private_identity";

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

std::string KeySecret(absl::string_view sid) {
  return absl::StrCat("secret-of-", sid);
}

token::ApiKey ApiKey(absl::string_view sid) {
  return *token::ApiKey::Create(sid, KeySecret(sid));
}

std::shared_ptr<const config::AccountKeys> Accounts() {
  std::vector<config::AccountKeys::Account> accounts;
  config::AccountKeys::Account& main = accounts.emplace_back(
      config::AccountKeys::Account{kSid, TestKey(kSecret), false});
  main.api_keys.push_back({ApiKey(kRetiredKey), true});
  main.api_keys.push_back({ApiKey(kFirstKey), false});
  main.api_keys.push_back({ApiKey(kSecondKey), false});
  accounts.push_back({kNoKeysSid, TestKey(kOtherSecret), false});
  config::AccountKeys::Account& verify_only =
      accounts.emplace_back(config::AccountKeys::Account{
          kVerifyOnlySid, TestKey(kOtherSecret), true});
  verify_only.api_keys.push_back({ApiKey(kVerifyOnlyAccountKey), false});
  config::AccountKeys::Account& retired =
      accounts.emplace_back(config::AccountKeys::Account{
          kRetiredKeysSid, TestKey(kOtherSecret), false});
  retired.api_keys.push_back({ApiKey(kOnlyRetiredKey), true});
  return config::AccountKeys::FromAccounts(std::move(accounts));
}

const authz::CallerIdentity kAnonymous{};

v1::TaskRouterRequest WorkerRequest(absl::string_view account_sid = kSid) {
  v1::TaskRouterRequest request;
  request.set_account_sid(std::string(account_sid));
  request.set_workspace_sid(kWorkspaceSid);
  request.set_channel_id(kWorkerSid);
  request.set_friendly_name("Alice");
  request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS);
  request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_UPDATE_ACTIVITIES);
  return request;
}

v1::AccessTokenRequest AccessRequest(absl::string_view account_sid = kSid) {
  v1::AccessTokenRequest request;
  request.set_account_sid(std::string(account_sid));
  request.set_identity(kIdentity);
  v1::VoiceGrant* voice = request.add_grants()->mutable_voice();
  voice->set_incoming_allow(true);
  voice->set_outgoing_application_sid("AP0123456789abcdef0123456789abcdef");
  voice->set_outgoing_application_params_json(R"({"To":"+15551234567"})");
  request.add_grants()->mutable_video()->set_room("standup");
  return request;
}

// Every string an audit record holds, for leak checks.
std::string AuditText(const AuditRecord& audit) {
  std::string text =
      absl::StrCat(audit.method, "|", audit.caller, "|", audit.account_sid, "|",
                   audit.kind, "|", audit.api_key_sid, "|", audit.profile, "|",
                   audit.token_fingerprint.view(), "|", audit.verdict);
  for (const auto* list :
       {&audit.scope_kinds, &audit.policy_sets, &audit.grant_kinds}) {
    for (absl::string_view item : *list) absl::StrAppend(&text, "|", item);
  }
  return text;
}

class TokenMinterKindsTest : public ::testing::Test {
 protected:
  std::unique_ptr<TokenMinter> NewMinter(
      std::shared_ptr<const authz::CallerPolicies> callers = TestPolicies(""),
      TokenMinter::Options options = {}) {
    options.clock = &clock_;
    return std::make_unique<TokenMinter>(
        options, std::make_shared<const ServingState>(
                     ServingState{Accounts(), std::move(callers)}));
  }

  // What the library signs for the same request, at the test clock.
  std::string LibraryTaskRouter(const v1::TaskRouterRequest& request) {
    absl::StatusOr<token::TaskRouterSpec> spec =
        convert::TaskRouterSpecFromProto(request,
                                         token::Profile::kTwilioPython);
    EXPECT_THAT(spec, IsOk());
    absl::StatusOr<token::SignedToken> signed_token =
        token::SignTaskRouterToken(*spec, TestKey(kSecret), clock_.Now(),
                                   token::SigningLimits());
    EXPECT_THAT(signed_token, IsOk());
    return signed_token.ok() ? signed_token->token : "";
  }

  std::string LibraryAccess(const v1::AccessTokenRequest& request,
                            absl::string_view key_sid) {
    absl::StatusOr<token::AccessTokenSpec> spec =
        convert::AccessTokenSpecFromProto(request,
                                          token::Profile::kTwilioPython);
    EXPECT_THAT(spec, IsOk());
    absl::StatusOr<token::SignedToken> signed_token = token::SignAccessToken(
        *spec, ApiKey(key_sid), clock_.Now(), token::SigningLimits());
    EXPECT_THAT(signed_token, IsOk());
    return signed_token.ok() ? signed_token->token : "";
  }

  absl::StatusOr<v1::TokenResponse> MintTaskRouter(
      const TokenMinter& minter, const v1::TaskRouterRequest& request,
      const authz::CallerIdentity& caller = kAnonymous) {
    AuditRecord audit;
    return minter.MintTaskRouterToken(request, caller, &audit);
  }

  absl::StatusOr<v1::TokenResponse> MintAccess(
      const TokenMinter& minter, const v1::AccessTokenRequest& request,
      const authz::CallerIdentity& caller = kAnonymous) {
    AuditRecord audit;
    return minter.MintAccessToken(request, caller, &audit);
  }

  absl::StatusOr<v1::VerifyTokenResponse> Verify(
      const TokenMinter& minter, const std::string& token,
      const authz::CallerIdentity& caller = kAnonymous,
      absl::string_view account_sid = "") {
    v1::VerifyTokenRequest request;
    request.set_token(token);
    request.set_account_sid(std::string(account_sid));
    AuditRecord audit;
    return minter.VerifyToken(request, caller, &audit);
  }

  token::FixedClock clock_{kNow};
};

// ---- MintTaskRouterToken
// -----------------------------------------------------

// MintBatch runs a batch as the server does (into a response it owns) and
// returns the response, or the call's status.
absl::StatusOr<v1::BatchMintResponse> MintBatch(
    const TokenMinter& minter, const v1::BatchMintRequest& batch,
    const authz::CallerIdentity& caller, BatchAudit* audit) {
  v1::BatchMintResponse response;
  const absl::Status status = minter.BatchMint(batch, caller, &response, audit);
  if (!status.ok()) return status;
  return response;
}

TEST_F(TokenMinterKindsTest, TaskRouterTokensAreTheLibrarysBytes) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  for (v1::Profile profile :
       {v1::PROFILE_TWILIO_PYTHON, v1::PROFILE_TWILIO_NODE,
        v1::PROFILE_TWILIO_PYTHON_6, v1::PROFILE_TWILIO_PYTHON_7}) {
    v1::TaskRouterRequest request = WorkerRequest();
    request.set_profile(profile);
    ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                         MintTaskRouter(*minter, request));
    EXPECT_EQ(response.token(), LibraryTaskRouter(request));
    EXPECT_EQ(response.profile(), profile);
    EXPECT_EQ(response.issue_time().seconds(), 1700000000);
    EXPECT_EQ(response.expire_time().seconds(), 1700003600);
    EXPECT_EQ(response.token_fingerprint(), TokenFingerprint(response.token()));
  }
}

TEST_F(TokenMinterKindsTest, TaskRouterTokensForEachChannelVerify) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  for (const char* channel : {kWorkerSid, kQueueSid, kWorkspaceSid}) {
    v1::TaskRouterRequest request = WorkerRequest();
    request.set_channel_id(channel);
    request.clear_policy_sets();
    request.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS);
    ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                         MintTaskRouter(*minter, request));
    ASSERT_OK_AND_ASSIGN(
        token::TaskRouterVerifier verifier,
        token::TaskRouterVerifier::Create(
            {.jwt = {.clock = &clock_}, .expected_account_sid = kSid}));
    ASSERT_OK_AND_ASSIGN(token::VerifiedTaskRouterToken verified,
                         verifier.Verify(response.token(), TestKey(kSecret)));
    EXPECT_EQ(verified.claims().channel_id, channel);
  }
}

TEST_F(TokenMinterKindsTest, TaskRouterUsesTheServersDefaultProfile) {
  TokenMinter::Options options;
  options.default_profile = token::Profile::kTwilioNode;
  std::unique_ptr<TokenMinter> minter = NewMinter(TestPolicies(""), options);
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                       MintTaskRouter(*minter, WorkerRequest()));
  EXPECT_EQ(response.profile(), v1::PROFILE_TWILIO_NODE);
}

TEST_F(TokenMinterKindsTest, MalformedTaskRouterRequestsNameTheField) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::TaskRouterRequest bad_workspace = WorkerRequest();
  bad_workspace.set_workspace_sid("WS123");
  EXPECT_THAT(
      MintTaskRouter(*minter, bad_workspace),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("workspace_sid")));
  v1::TaskRouterRequest queue_with_worker_set = WorkerRequest();
  queue_with_worker_set.set_channel_id(kQueueSid);
  EXPECT_THAT(MintTaskRouter(*minter, queue_with_worker_set),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("policy_sets[1]")));
  v1::TaskRouterRequest node_deny = WorkerRequest();
  node_deny.set_profile(v1::PROFILE_TWILIO_NODE);
  v1::TaskRouterPolicy* deny = node_deny.add_policies();
  deny->set_url("https://taskrouter.twilio.com/v1/Workspaces/" +
                std::string(kWorkspaceSid) + "/Tasks/**");
  deny->set_method("DELETE");
  deny->set_deny(true);
  EXPECT_THAT(MintTaskRouter(*minter, node_deny),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("policies[0].deny: the twilio-node profile cannot "
                          "express a deny policy")));
  // The python profile can.
  node_deny.set_profile(v1::PROFILE_TWILIO_PYTHON);
  EXPECT_THAT(MintTaskRouter(*minter, node_deny), IsOk());
}

TEST_F(TokenMinterKindsTest, TaskRouterForUnknownOrVerifyOnlyAccountsIsDenied) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  for (const char* account : {kUnknownSid, kVerifyOnlySid}) {
    EXPECT_THAT(MintTaskRouter(*minter, WorkerRequest(account)),
                StatusIs(absl::StatusCode::kPermissionDenied,
                         Eq(std::string(authz::kAccountDenied))));
  }
}

TEST_F(TokenMinterKindsTest, TaskRouterLifetimeIsCappedByTheServer) {
  TokenMinter::Options options;
  options.signing_limits.max_ttl = absl::Hours(2);
  std::unique_ptr<TokenMinter> minter = NewMinter(TestPolicies(""), options);
  v1::TaskRouterRequest request = WorkerRequest();
  request.mutable_ttl()->set_seconds(7200);
  EXPECT_THAT(MintTaskRouter(*minter, request), IsOk());
  request.mutable_ttl()->set_seconds(7201);
  EXPECT_THAT(MintTaskRouter(*minter, request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ttl")));
}

TEST_F(TokenMinterKindsTest, TaskRouterAuditHasTheKindAndSetsNotTheName) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse response,
      minter->MintTaskRouterToken(WorkerRequest(), kAnonymous, &audit));
  EXPECT_EQ(audit.method, "MintTaskRouterToken");
  EXPECT_EQ(audit.kind, "taskrouter");
  EXPECT_EQ(audit.account_sid, kSid);
  EXPECT_THAT(audit.policy_sets,
              ElementsAre("python_defaults", "update_activities"));
  EXPECT_EQ(audit.profile, "twilio-python");
  EXPECT_EQ(audit.ttl_seconds, 3600);
  EXPECT_EQ(audit.token_fingerprint, response.token_fingerprint());
  EXPECT_EQ(audit.batch_item, -1);
  EXPECT_THAT(AuditText(audit), Not(HasSubstr("Alice")));
}

// ---- MintAccessToken
// ---------------------------------------------------------

TEST_F(TokenMinterKindsTest, AccessTokensAreTheLibrarysBytesWithTheFirstKey) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  for (v1::Profile profile :
       {v1::PROFILE_TWILIO_PYTHON, v1::PROFILE_TWILIO_NODE,
        v1::PROFILE_TWILIO_PYTHON_6, v1::PROFILE_TWILIO_PYTHON_7}) {
    v1::AccessTokenRequest request = AccessRequest();
    request.set_profile(profile);
    request.set_region("ie1");
    request.mutable_not_before()->set_seconds(1699999000);
    ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                         MintAccess(*minter, request));
    // The verify-only key is skipped: the first key that may sign signs.
    EXPECT_EQ(response.token(), LibraryAccess(request, kFirstKey));
    EXPECT_EQ(response.profile(), profile);
    EXPECT_EQ(response.expire_time().seconds(), 1700003600);
  }
}

TEST_F(TokenMinterKindsTest, AccessTokenWithANamedKeyIsSignedWithIt) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::AccessTokenRequest request = AccessRequest();
  request.set_api_key_sid(kSecondKey);
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                       MintAccess(*minter, request));
  EXPECT_EQ(response.token(), LibraryAccess(request, kSecondKey));
  ASSERT_OK_AND_ASSIGN(
      token::AccessTokenVerifier verifier,
      token::AccessTokenVerifier::Create(
          {.jwt = {.clock = &clock_}, .expected_account_sid = kSid}));
  EXPECT_THAT(verifier.Verify(response.token(), ApiKey(kSecondKey)), IsOk());
  EXPECT_THAT(verifier.Verify(response.token(), ApiKey(kFirstKey)),
              Not(IsOk()));
}

TEST_F(TokenMinterKindsTest, AVerifyOnlyUnknownOrOthersKeyNeverSigns) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  for (const char* key : {kRetiredKey, kUnknownKey, kOnlyRetiredKey}) {
    v1::AccessTokenRequest request = AccessRequest();
    request.set_api_key_sid(key);
    const absl::Status refused = MintAccess(*minter, request).status();
    EXPECT_THAT(refused, StatusIs(absl::StatusCode::kPermissionDenied,
                                  Eq(std::string(kApiKeyDenied))))
        << key;
    EXPECT_EQ(authz::RefusalReasonOf(refused), authz::RefusalReason::kApiKey)
        << key;
  }
}

TEST_F(TokenMinterKindsTest, AnAccountWithoutASigningKeyLooksUnknown) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  for (const char* account :
       {kNoKeysSid, kRetiredKeysSid, kVerifyOnlySid, kUnknownSid}) {
    EXPECT_THAT(MintAccess(*minter, AccessRequest(account)),
                StatusIs(absl::StatusCode::kPermissionDenied,
                         Eq(std::string(authz::kAccountDenied))))
        << account;
  }
}

TEST_F(TokenMinterKindsTest, AMalformedApiKeySidIsAnInvalidArgument) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::AccessTokenRequest request = AccessRequest();
  request.set_api_key_sid("SK123");
  EXPECT_THAT(
      MintAccess(*minter, request),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("api_key_sid: ")));
}

TEST_F(TokenMinterKindsTest, AccessLifetimeDefaultsToAnHourAndStopsAt24h) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::AccessTokenRequest request = AccessRequest();
  request.mutable_ttl()->set_seconds(86400);
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse day, MintAccess(*minter, request));
  EXPECT_EQ(day.expire_time().seconds() - day.issue_time().seconds(), 86400);
  request.mutable_ttl()->set_seconds(86401);
  EXPECT_THAT(MintAccess(*minter, request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ttl")));
}

TEST_F(TokenMinterKindsTest, MalformedAccessRequestsNameTheRequestsFields) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::AccessTokenRequest request = AccessRequest();
  request.add_grants()->mutable_sync()->set_service_sid("IS1");
  EXPECT_THAT(MintAccess(*minter, request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("grants[2].sync.service_sid")));
  request = AccessRequest();
  request.set_identity("");
  EXPECT_THAT(
      MintAccess(*minter, request),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("identity")));
  request = AccessRequest();
  request.add_grants();
  EXPECT_THAT(MintAccess(*minter, request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("grants[2]: no grant kind set")));
}

TEST_F(TokenMinterKindsTest, AccessAuditHasGrantKindsAndKeyButNoIdentity) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse response,
      minter->MintAccessToken(AccessRequest(), kAnonymous, &audit));
  EXPECT_EQ(audit.method, "MintAccessToken");
  EXPECT_EQ(audit.kind, "access");
  EXPECT_EQ(audit.account_sid, kSid);
  EXPECT_EQ(audit.api_key_sid, kFirstKey);
  EXPECT_THAT(audit.grant_kinds, ElementsAre("voice", "video"));
  EXPECT_EQ(audit.token_fingerprint, response.token_fingerprint());
  EXPECT_THAT(AuditText(audit), Not(HasSubstr(kIdentity)));
  EXPECT_THAT(AuditText(audit), Not(HasSubstr("+1555")));

  // Nor does a refusal's message or audit.
  v1::AccessTokenRequest bad = AccessRequest();
  bad.set_region("not a region");
  AuditRecord refused;
  const absl::Status status =
      minter->MintAccessToken(bad, kAnonymous, &refused).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               Not(HasSubstr(kIdentity))));
  EXPECT_EQ(refused.token_fingerprint, "");
  EXPECT_THAT(AuditText(refused), Not(HasSubstr(kIdentity)));
}

// ---- Caller policies
// ---------------------------------------------------------

const authz::CallerIdentity kVoiceApp{"spiffe://example.org/ns/web/sa/voice",
                                      "tls_spiffe_id"};
const authz::CallerIdentity kWorkers{"spiffe://example.org/ns/web/sa/workers",
                                     "tls_spiffe_id"};
const authz::CallerIdentity kLegacy{"spiffe://example.org/ns/web/sa/legacy",
                                    "tls_spiffe_id"};
const authz::CallerIdentity kBatchJob{
    "spiffe://example.org/ns/batch/sa/nightly", "tls_spiffe_id"};

// The voice app may mint Access Tokens with voice and video grants for
// identities of word characters, 10 minutes at most; the workers service
// TaskRouter tokens; the legacy service (no token_kinds) capability tokens
// only; the batch job every kind for kSid, three a second.
constexpr char kPolicies[] = R"pb(
  callers {
    identity: "spiffe://example.org/ns/web/sa/voice"
    accounts: "AC0123456789abcdef0123456789abcdef"
    token_kinds: TOKEN_KIND_ALLOWED_ACCESS
    grant_kinds: [ GRANT_KIND_VOICE, GRANT_KIND_VIDEO ]
    access_identity_pattern: "\\w{1,64}"
    max_ttl { seconds: 600 }
  }
  callers {
    identity: "spiffe://example.org/ns/web/sa/workers"
    accounts: "*"
    token_kinds: TOKEN_KIND_ALLOWED_TASKROUTER
  }
  callers {
    identity: "spiffe://example.org/ns/web/sa/legacy"
    accounts: "*"
    scope_kinds: SCOPE_KIND_CLIENT_INCOMING
  }
  callers {
    identity_pattern: "spiffe://example\\.org/ns/batch/sa/.*"
    accounts: "AC0123456789abcdef0123456789abcdef"
    token_kinds: [
      TOKEN_KIND_ALLOWED_CAPABILITY,
      TOKEN_KIND_ALLOWED_TASKROUTER,
      TOKEN_KIND_ALLOWED_ACCESS
    ]
    grant_kinds: [ GRANT_KIND_VOICE, GRANT_KIND_VIDEO ]
    rate { per_second: 3 burst: 3 }
  }
)pb";

TEST_F(TokenMinterKindsTest, EachCallerMintsOnlyTheKindsItIsAllowed) {
  std::unique_ptr<TokenMinter> minter = NewMinter(TestPolicies(kPolicies));
  v1::AccessTokenRequest access = AccessRequest();
  access.mutable_ttl()->set_seconds(600);
  EXPECT_THAT(MintAccess(*minter, access, kVoiceApp), IsOk());
  const absl::Status wrong_kind =
      MintTaskRouter(*minter, WorkerRequest(), kVoiceApp).status();
  EXPECT_THAT(wrong_kind,
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq("this caller may not use taskrouter tokens")));
  EXPECT_EQ(authz::RefusalReasonOf(wrong_kind), authz::RefusalReason::kKind);
  EXPECT_THAT(MintTaskRouter(*minter, WorkerRequest(), kWorkers), IsOk());
  EXPECT_THAT(MintAccess(*minter, access, kWorkers),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq("this caller may not use access tokens")));
  // A policy written before the new kinds existed allows none of them.
  EXPECT_THAT(
      MintTaskRouter(*minter, WorkerRequest(), kLegacy),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("taskrouter")));
  EXPECT_THAT(
      MintAccess(*minter, access, kLegacy),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("access")));
}

// Issue 17, item 1: 60,000 repeated policy sets (60 KB) used to be expanded
// into policies (about 100 MB) before the 64-policy limit refused them, and
// before the caller was identified. Counts now come first, and callers are
// identified before any conversion.
TEST_F(TokenMinterKindsTest, PolicySetsAreCountedBeforeAnyIsExpanded) {
  v1::TaskRouterRequest flood = WorkerRequest();
  flood.clear_policy_sets();
  for (int i = 0; i < 60000; ++i) {
    flood.add_policy_sets(v1::TASK_ROUTER_POLICY_SET_EVENT_BRIDGE);
  }
  std::unique_ptr<TokenMinter> open = NewMinter();
  EXPECT_THAT(MintTaskRouter(*open, flood),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("each of policy_sets adds at least one")));

  // With caller policies, an unidentified caller is refused before the
  // request is even counted.
  std::unique_ptr<TokenMinter> closed = NewMinter(TestPolicies(kPolicies));
  EXPECT_THAT(MintTaskRouter(*closed, flood),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
  v1::MintRequest item;
  *item.mutable_taskrouter() = flood;
  v1::BatchMintRequest batch;
  *batch.add_requests() = item;
  BatchAudit audit;
  absl::StatusOr<v1::BatchMintResponse> response =
      MintBatch(*open, batch, kAnonymous, &audit);
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->results(0).code(),
            static_cast<int>(absl::StatusCode::kInvalidArgument));
}

TEST_F(TokenMinterKindsTest, GrantKindsIdentitiesAndLifetimesAreChecked) {
  std::unique_ptr<TokenMinter> minter = NewMinter(TestPolicies(kPolicies));
  v1::AccessTokenRequest chat = AccessRequest();
  chat.add_grants()->mutable_chat();
  EXPECT_THAT(MintAccess(*minter, chat, kVoiceApp),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq("grants[2]: this caller may not request chat "
                          "grants")));
  EXPECT_EQ(
      authz::RefusalReasonOf(MintAccess(*minter, chat, kVoiceApp).status()),
      authz::RefusalReason::kGrant);
  v1::AccessTokenRequest odd_identity = AccessRequest();
  odd_identity.set_identity("alice@example.com");
  EXPECT_THAT(MintAccess(*minter, odd_identity, kVoiceApp),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       AllOf(Eq("identity: not allowed for this caller"),
                             Not(HasSubstr("example.com")))));
  EXPECT_EQ(authz::RefusalReasonOf(
                MintAccess(*minter, odd_identity, kVoiceApp).status()),
            authz::RefusalReason::kIdentity);
  v1::AccessTokenRequest long_lived = AccessRequest();
  long_lived.mutable_ttl()->set_seconds(601);
  EXPECT_THAT(MintAccess(*minter, long_lived, kVoiceApp),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("ttl")));
  EXPECT_EQ(authz::RefusalReasonOf(
                MintAccess(*minter, long_lived, kVoiceApp).status()),
            authz::RefusalReason::kTtl);
  // Without a lifetime the default is shortened to the policy's maximum.
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                       MintAccess(*minter, AccessRequest(), kVoiceApp));
  EXPECT_EQ(response.expire_time().seconds() - response.issue_time().seconds(),
            600);
  // Another account is refused as an unknown one.
  EXPECT_THAT(MintAccess(*minter, AccessRequest(kRetiredKeysSid), kVoiceApp),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(authz::kAccountDenied))));
}

TEST_F(TokenMinterKindsTest, GetCallerPolicyReportsKindsGrantsAndPattern) {
  std::unique_ptr<TokenMinter> minter = NewMinter(TestPolicies(kPolicies));
  ASSERT_OK_AND_ASSIGN(const v1::GetCallerPolicyResponse response,
                       minter->GetCallerPolicy(kVoiceApp));
  ASSERT_TRUE(response.matched());
  EXPECT_THAT(response.policy().token_kinds(),
              ElementsAre(v1::TOKEN_KIND_ALLOWED_ACCESS));
  EXPECT_THAT(response.policy().grant_kinds(),
              ElementsAre(v1::GRANT_KIND_VOICE, v1::GRANT_KIND_VIDEO));
  EXPECT_EQ(response.policy().access_identity_pattern(), "\\w{1,64}");
}

// ---- BatchMint -------------------------------------------------------------

v1::MintRequest Item(v1::CapabilityRequest request) {
  v1::MintRequest item;
  *item.mutable_capability() = std::move(request);
  return item;
}
v1::MintRequest Item(v1::TaskRouterRequest request) {
  v1::MintRequest item;
  *item.mutable_taskrouter() = std::move(request);
  return item;
}
v1::MintRequest Item(v1::AccessTokenRequest request) {
  v1::MintRequest item;
  *item.mutable_access() = std::move(request);
  return item;
}

v1::CapabilityRequest IncomingRequest(absl::string_view account = kSid) {
  v1::CapabilityRequest request;
  request.set_account_sid(std::string(account));
  request.add_scopes()->mutable_client_incoming()->set_client_name("bob");
  return request;
}

TEST_F(TokenMinterKindsTest, BatchAnswersEachItemInOrderAsItsSingleCall) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::BatchMintRequest batch;
  *batch.add_requests() = Item(WorkerRequest());
  v1::AccessTokenRequest bad_access = AccessRequest();
  bad_access.set_identity("");
  *batch.add_requests() = Item(bad_access);
  *batch.add_requests() = Item(AccessRequest());
  *batch.add_requests() = Item(IncomingRequest(kUnknownSid));
  batch.add_requests();  // No kind.
  *batch.add_requests() = Item(IncomingRequest());

  BatchAudit audit;
  ASSERT_OK_AND_ASSIGN(v1::BatchMintResponse response,
                       MintBatch(*minter, batch, kAnonymous, &audit));
  ASSERT_EQ(response.results_size(), 6);
  const int kOk = static_cast<int>(absl::StatusCode::kOk);
  const int kInvalid = static_cast<int>(absl::StatusCode::kInvalidArgument);
  const int kDenied = static_cast<int>(absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(response.results(0).code(), kOk);
  EXPECT_EQ(response.results(0).message(), "");
  EXPECT_EQ(response.results(0).token().token(),
            MintTaskRouter(*minter, WorkerRequest())->token());
  EXPECT_EQ(response.results(1).code(), kInvalid);
  EXPECT_EQ(response.results(1).message(),
            MintAccess(*minter, bad_access).status().message());
  EXPECT_FALSE(response.results(1).has_token());
  EXPECT_EQ(response.results(2).code(), kOk);
  EXPECT_EQ(response.results(2).token().token(),
            LibraryAccess(AccessRequest(), kFirstKey));
  EXPECT_EQ(response.results(3).code(), kDenied);
  EXPECT_EQ(response.results(3).message(), authz::kAccountDenied);
  EXPECT_EQ(response.results(4).code(), kInvalid);
  EXPECT_EQ(response.results(4).message(),
            "request: set one of capability, taskrouter or access");
  EXPECT_EQ(response.results(5).code(), kOk);

  // One audit record per item, each with its index and kind.
  EXPECT_EQ(audit.call.method, "BatchMint");
  EXPECT_FALSE(audit.retry_delay.has_value());
  const std::vector<AuditRecord>& items = audit.items;
  ASSERT_EQ(items.size(), 6u);
  const char* kinds[] = {"taskrouter", "access", "access",
                         "capability", "",       "capability"};
  for (size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(items[i].method, "BatchMint");
    EXPECT_EQ(items[i].batch_item, static_cast<int64_t>(i));
    EXPECT_EQ(items[i].kind, kinds[i]) << i;
    EXPECT_EQ(items[i].token_fingerprint.empty(),
              response.results(i).code() != kOk)
        << i;
    EXPECT_THAT(AuditText(items[i]), Not(HasSubstr(kIdentity)));
  }
  EXPECT_EQ(items[2].token_fingerprint,
            response.results(2).token().token_fingerprint());
  // Each refused item says why, as its single call's status would.
  std::vector<authz::RefusalReason> refusals;
  for (const AuditRecord& item : items) refusals.push_back(item.refusal);
  EXPECT_THAT(refusals, ElementsAre(authz::RefusalReason::kNone,
                                    authz::RefusalReason::kInvalidRequest,
                                    authz::RefusalReason::kNone,
                                    authz::RefusalReason::kAccount,
                                    authz::RefusalReason::kInvalidRequest,
                                    authz::RefusalReason::kNone));
}

TEST_F(TokenMinterKindsTest, BatchInPlaceFillsAnArenaResponseLikeACopy) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::BatchMintRequest batch;
  *batch.add_requests() = Item(IncomingRequest());
  *batch.add_requests() = Item(IncomingRequest(kUnknownSid));
  *batch.add_requests() = Item(WorkerRequest());
  BatchAudit audit;
  ASSERT_OK_AND_ASSIGN(v1::BatchMintResponse copied,
                       MintBatch(*minter, batch, kAnonymous, &audit));

  google::protobuf::Arena arena;
  auto* in_place =
      google::protobuf::Arena::CreateMessage<v1::BatchMintResponse>(&arena);
  in_place->add_results()->set_message("left over");  // cleared first
  ASSERT_THAT(minter->BatchMint(batch, kAnonymous, in_place, &audit), IsOk());
  ASSERT_EQ(in_place->results_size(), 3);
  EXPECT_EQ(in_place->results(0).token().token(),
            copied.results(0).token().token());
  EXPECT_EQ(in_place->results(1).code(), copied.results(1).code());
  EXPECT_FALSE(in_place->results(1).has_token());
  EXPECT_EQ(in_place->results(2).token().token_fingerprint(),
            TokenFingerprint(in_place->results(2).token().token()));
  EXPECT_EQ(audit.items.size(), 3u);

  // A batch refused whole leaves the response empty.
  EXPECT_THAT(
      minter->BatchMint(v1::BatchMintRequest(), kAnonymous, in_place, &audit),
      StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_EQ(in_place->results_size(), 0);
}

TEST_F(TokenMinterKindsTest, EmptyAndOversizedBatchesAreRefusedWhole) {
  TokenMinter::Options options;
  options.max_batch_requests = 3;
  std::unique_ptr<TokenMinter> minter = NewMinter(TestPolicies(""), options);
  BatchAudit audit;
  EXPECT_THAT(MintBatch(*minter, v1::BatchMintRequest(), kAnonymous, &audit),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("requests: at least one is required")));
  v1::BatchMintRequest batch;
  for (int i = 0; i < 3; ++i) *batch.add_requests() = Item(IncomingRequest());
  ASSERT_OK_AND_ASSIGN(v1::BatchMintResponse response,
                       MintBatch(*minter, batch, kAnonymous, &audit));
  EXPECT_EQ(response.results_size(), 3);
  EXPECT_EQ(audit.items.size(), 3u);
  *batch.add_requests() = Item(IncomingRequest());
  EXPECT_THAT(MintBatch(*minter, batch, kAnonymous, &audit),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("requests: more than 3 in one batch")));
  EXPECT_TRUE(audit.items.empty());
}

TEST_F(TokenMinterKindsTest, BatchCallerWithoutIdentityOrPolicyIsRefusedWhole) {
  std::unique_ptr<TokenMinter> minter = NewMinter(TestPolicies(kPolicies));
  v1::BatchMintRequest batch;
  *batch.add_requests() = Item(IncomingRequest());
  BatchAudit audit;
  EXPECT_THAT(MintBatch(*minter, batch, kAnonymous, &audit),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
  EXPECT_THAT(
      MintBatch(*minter, batch, {"spiffe://nobody", "tls_spiffe_id"}, &audit),
      StatusIs(absl::StatusCode::kPermissionDenied,
               Eq(std::string(authz::kAccountDenied))));
}

TEST_F(TokenMinterKindsTest, EachBatchItemCountsAgainstTheRate) {
  std::unique_ptr<TokenMinter> minter = NewMinter(TestPolicies(kPolicies));
  // The batch job's bucket holds 3. An invalid item takes nothing.
  v1::CapabilityRequest no_scopes;
  no_scopes.set_account_sid(kSid);
  v1::BatchMintRequest batch;
  *batch.add_requests() = Item(no_scopes);
  v1::TaskRouterRequest invalid = WorkerRequest();
  invalid.set_workspace_sid("");
  *batch.add_requests() = Item(invalid);
  *batch.add_requests() = Item(WorkerRequest());
  *batch.add_requests() = Item(AccessRequest());
  *batch.add_requests() = Item(AccessRequest());
  *batch.add_requests() = Item(no_scopes);
  BatchAudit audit;
  ASSERT_OK_AND_ASSIGN(v1::BatchMintResponse response,
                       MintBatch(*minter, batch, kBatchJob, &audit));
  std::vector<absl::StatusCode> codes;
  for (const v1::MintResult& result : response.results()) {
    codes.push_back(static_cast<absl::StatusCode>(result.code()));
  }
  EXPECT_THAT(codes, ElementsAre(absl::StatusCode::kOk,
                                 absl::StatusCode::kInvalidArgument,
                                 absl::StatusCode::kOk, absl::StatusCode::kOk,
                                 absl::StatusCode::kResourceExhausted,
                                 absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(response.results(4).message(), HasSubstr("retry after"));
  // The call says how long to wait, as a single refused call would.
  ASSERT_TRUE(audit.retry_delay.has_value());
  EXPECT_GT(*audit.retry_delay, absl::ZeroDuration());
  EXPECT_LE(*audit.retry_delay, absl::Seconds(1));
  EXPECT_EQ(audit.items[4].token_fingerprint, "");
  EXPECT_EQ(audit.items[4].refusal, authz::RefusalReason::kRateLimited);
  EXPECT_EQ(audit.items[5].refusal, authz::RefusalReason::kRateLimited);
  // The single calls share the bucket the batch emptied.
  EXPECT_THAT(MintTaskRouter(*minter, WorkerRequest(), kBatchJob),
              StatusIs(absl::StatusCode::kResourceExhausted, ::testing::_));
  clock_.Advance(absl::Seconds(1));
  EXPECT_THAT(MintTaskRouter(*minter, WorkerRequest(), kBatchJob), IsOk());
}

// ---- VerifyToken
// -------------------------------------------------------------

TEST_F(TokenMinterKindsTest, VerifiesATaskRouterTokenWithItsClaims) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse minted,
                       MintTaskRouter(*minter, WorkerRequest()));
  v1::VerifyTokenRequest request;
  request.set_token(minted.token());
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse verified,
                       minter->VerifyToken(request, kAnonymous, &audit));
  EXPECT_TRUE(verified.valid());
  EXPECT_EQ(verified.kind(), v1::TOKEN_KIND_TASKROUTER);
  EXPECT_EQ(verified.account_sid(), kSid);
  EXPECT_EQ(verified.taskrouter().workspace_sid(), kWorkspaceSid);
  EXPECT_EQ(verified.taskrouter().channel_id(), kWorkerSid);
  EXPECT_EQ(verified.taskrouter().friendly_name(), "Alice");
  EXPECT_EQ(verified.taskrouter().policies_size(), 7);
  EXPECT_EQ(audit.kind, "taskrouter");
  EXPECT_EQ(audit.verdict, "valid");
  EXPECT_EQ(audit.token_fingerprint, minted.token_fingerprint());
}

TEST_F(TokenMinterKindsTest, VerifiesAnAccessTokenWithTheKeyInItsIss) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::AccessTokenRequest request = AccessRequest();
  request.set_api_key_sid(kSecondKey);
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse minted, MintAccess(*minter, request));
  v1::VerifyTokenRequest verify;
  verify.set_token(minted.token());
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse verified,
                       minter->VerifyToken(verify, kAnonymous, &audit));
  EXPECT_TRUE(verified.valid());
  EXPECT_EQ(verified.kind(), v1::TOKEN_KIND_ACCESS);
  EXPECT_EQ(verified.account_sid(), kSid);
  EXPECT_EQ(verified.access().api_key_sid(), kSecondKey);
  EXPECT_EQ(verified.access().identity(), kIdentity);
  EXPECT_EQ(verified.access().grants_size(), 2);
  EXPECT_EQ(audit.kind, "access");
  EXPECT_EQ(audit.api_key_sid, kSecondKey);
  EXPECT_THAT(AuditText(audit), Not(HasSubstr(kIdentity)));
}

TEST_F(TokenMinterKindsTest, AVerifyOnlyKeysTokensStillVerify) {
  // Signed before the key was retired.
  v1::AccessTokenRequest request = AccessRequest();
  const std::string token = LibraryAccess(request, kRetiredKey);
  std::unique_ptr<TokenMinter> minter = NewMinter();
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse verified,
                       Verify(*minter, token));
  EXPECT_TRUE(verified.valid());
  EXPECT_EQ(verified.access().api_key_sid(), kRetiredKey);
}

TEST_F(TokenMinterKindsTest, AnAccessTokenOfAnUnknownKeyHasABadSignature) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  const std::string token = LibraryAccess(AccessRequest(), kUnknownKey);
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse verified,
                       Verify(*minter, token));
  EXPECT_FALSE(verified.valid());
  EXPECT_EQ(verified.failure(), v1::VERIFICATION_FAILURE_BAD_SIGNATURE);
  EXPECT_EQ(verified.kind(), v1::TOKEN_KIND_ACCESS);
  EXPECT_FALSE(verified.has_access());
  // A key of another account is no better.
  const std::string others = LibraryAccess(AccessRequest(), kOnlyRetiredKey);
  ASSERT_OK_AND_ASSIGN(verified, Verify(*minter, others));
  EXPECT_EQ(verified.failure(), v1::VERIFICATION_FAILURE_BAD_SIGNATURE);
}

TEST_F(TokenMinterKindsTest, AnAccessTokenForAnotherRequestedAccountFails) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse minted,
                       MintAccess(*minter, AccessRequest()));
  // The requested account's keys did not sign it.
  ASSERT_OK_AND_ASSIGN(
      v1::VerifyTokenResponse verified,
      Verify(*minter, minted.token(), kAnonymous, kRetiredKeysSid));
  EXPECT_FALSE(verified.valid());
  EXPECT_EQ(verified.failure(), v1::VERIFICATION_FAILURE_BAD_SIGNATURE);
  // Its own account verifies it.
  ASSERT_OK_AND_ASSIGN(verified,
                       Verify(*minter, minted.token(), kAnonymous, kSid));
  EXPECT_TRUE(verified.valid());
}

TEST_F(TokenMinterKindsTest, TokensOfUnknownAccountsAreDenied) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  const std::string access =
      LibraryAccess(AccessRequest(kUnknownSid), kFirstKey);
  EXPECT_THAT(Verify(*minter, access),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(authz::kAccountDenied))));
}

TEST_F(TokenMinterKindsTest, VerifyingNeedsTheKindToo) {
  std::unique_ptr<TokenMinter> minter = NewMinter(TestPolicies(kPolicies));
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse taskrouter,
                       MintTaskRouter(*minter, WorkerRequest(), kWorkers));
  EXPECT_THAT(Verify(*minter, taskrouter.token(), kWorkers), IsOk());
  EXPECT_THAT(Verify(*minter, taskrouter.token(), kVoiceApp),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq("this caller may not use taskrouter tokens")));
}

TEST_F(TokenMinterKindsTest, ATokenOfNoKnownKindIsMalformedWithoutAKind) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  // Header {"alg":"HS256","typ":"JWT"}, claims {"iss":"AC0...","exp":1}.
  const std::string token =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJpc3MiOiJBQzAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmIiwiZXhwIjoxfQ."
      "c2ln";
  AuditRecord audit;
  v1::VerifyTokenRequest request;
  request.set_token(token);
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse verified,
                       minter->VerifyToken(request, kAnonymous, &audit));
  EXPECT_FALSE(verified.valid());
  EXPECT_EQ(verified.failure(), v1::VERIFICATION_FAILURE_MALFORMED);
  EXPECT_EQ(verified.kind(), v1::TOKEN_KIND_UNSPECIFIED);
  EXPECT_EQ(audit.kind, "");
  EXPECT_EQ(audit.verdict, "malformed");
}

}  // namespace
}  // namespace captoken::mint
