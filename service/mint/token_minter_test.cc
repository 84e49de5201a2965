// Tests for token_minter.h: the server's core mints tokens the verifier
// accepts, refuses each malformed request naming the field, refuses unknown
// and verify-only accounts identically, fills an audit record that never
// holds a client name, verifies tokens with the right verdict (with either
// of an account's keys), applies caller policies (default deny, scope kinds,
// client names, lifetimes, rates), and switches accounts and policies
// together.

#include "service/mint/token_minter.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/config.pb.h"
#include "captoken/v1/token_service.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "service/authz/caller_identity.h"
#include "service/authz/caller_policy.h"
#include "service/config/account_keys.h"
#include "service/token/capability_scope.h"
#include "service/token/capability_verifier.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/jwt_verifier.h"
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
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr char kSid[] = "AC0123456789abcdef0123456789abcdef";
// Signed with the same auth token as kSid (two accounts sharing a secret
// never happens in practice; it lets a test reach the iss check).
constexpr char kSharedKeySid[] = "AC22222222222222222222222222222222";
constexpr char kVerifyOnlySid[] = "ACfedcba9876543210fedcba9876543210";
constexpr char kUnknownSid[] = "AC99999999999999999999999999999999";
constexpr char kAppSid[] = "AP0123456789abcdef0123456789abcdef";

constexpr char kSecret[] = "test-auth-token-0123456789abcdef";
constexpr char kVerifyOnlySecret[] = "old-auth-token-fedcba9876543210";
constexpr char kNewSecret[] = "rotated-auth-token-aaaaaaaaaaaa";

// A client name no audit record or error may contain.
constexpr char kClientName[] = "alice_private_name";

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

std::shared_ptr<const ServingState> State(
    std::shared_ptr<const config::AccountKeys> accounts,
    std::shared_ptr<const authz::CallerPolicies> callers = TestOpenAccess()) {
  return std::make_shared<const ServingState>(
      ServingState{std::move(accounts), std::move(callers)});
}

// A caller that presented no identity.
const authz::CallerIdentity kAnonymous{};

std::shared_ptr<const config::AccountKeys> DefaultAccounts() {
  std::vector<config::AccountKeys::Account> accounts;
  accounts.push_back({kSid, TestKey(kSecret), false});
  accounts.push_back({kSharedKeySid, TestKey(kSecret), false});
  accounts.push_back({kVerifyOnlySid, TestKey(kVerifyOnlySecret), true});
  return config::AccountKeys::FromAccounts(std::move(accounts));
}

// A request for kSid with one scope of each kind.
v1::CapabilityRequest FullRequest() {
  v1::CapabilityRequest request;
  request.set_account_sid(kSid);
  request.add_scopes()->mutable_client_incoming()->set_client_name(kClientName);
  v1::ClientOutgoing* outgoing =
      request.add_scopes()->mutable_client_outgoing();
  outgoing->set_application_sid(kAppSid);
  v1::Param* param = outgoing->add_params();
  param->set_key("To");
  param->set_value("+15551234567");
  v1::Param* filter =
      request.add_scopes()->mutable_event_stream()->add_filters();
  filter->set_key("path");
  filter->set_value("/calls");
  request.mutable_ttl()->set_seconds(600);
  return request;
}

// Every string an audit record holds, for leak checks.
std::vector<std::string> AuditStrings(const AuditRecord& audit) {
  std::vector<std::string> strings = {
      std::string(audit.method),
      audit.caller,
      audit.account_sid,
      audit.profile,
      std::string(audit.token_fingerprint.view()),
      audit.verdict};
  for (absl::string_view kind : audit.scope_kinds) {
    strings.emplace_back(kind);
  }
  for (absl::string_view set : audit.policy_sets) strings.emplace_back(set);
  for (absl::string_view kind : audit.grant_kinds) strings.emplace_back(kind);
  return strings;
}

class TokenMinterTest : public ::testing::Test {
 protected:
  std::unique_ptr<TokenMinter> NewMinter(
      token::Profile default_profile = token::Profile::kTwilioPython,
      std::shared_ptr<const config::AccountKeys> accounts = DefaultAccounts()) {
    TokenMinter::Options options;
    options.default_profile = default_profile;
    options.clock = &clock_;
    return std::make_unique<TokenMinter>(options, State(std::move(accounts)));
  }

  std::unique_ptr<TokenMinter> NewMinter(
      std::shared_ptr<const ServingState> state) {
    TokenMinter::Options options;
    options.clock = &clock_;
    return std::make_unique<TokenMinter>(options, std::move(state));
  }

  // Verifies `token` with the library's verifier, as a Twilio-side check
  // would, at the test clock's now.
  absl::StatusOr<token::VerifiedCapabilityToken> LibraryVerify(
      absl::string_view token, absl::string_view secret) {
    token::CapabilityVerifier::Options options;
    options.jwt.clock = &clock_;
    absl::StatusOr<token::CapabilityVerifier> verifier =
        token::CapabilityVerifier::Create(options);
    if (!verifier.ok()) return verifier.status();
    return verifier->Verify(token, TestKey(secret));
  }

  // Mints FullRequest() (with `profile`) and returns the token.
  std::string MintFull(const TokenMinter& minter,
                       v1::Profile profile = v1::PROFILE_UNSPECIFIED) {
    v1::CapabilityRequest request = FullRequest();
    request.set_profile(profile);
    AuditRecord audit;
    absl::StatusOr<v1::TokenResponse> response =
        minter.MintCapabilityToken(request, kAnonymous, &audit);
    EXPECT_THAT(response, IsOk());
    return response.ok() ? response->token() : "";
  }

  // Verifies `token` through the minter as an anonymous caller, naming
  // `account_sid` in the request unless it is empty.
  static absl::StatusOr<v1::VerifyTokenResponse> VerifyThrough(
      const TokenMinter& minter, absl::string_view token,
      absl::string_view account_sid, AuditRecord* audit) {
    v1::VerifyTokenRequest request;
    request.set_token(std::string(token));
    request.set_account_sid(std::string(account_sid));
    return minter.VerifyToken(request, kAnonymous, audit);
  }

  token::FixedClock clock_{kNow};
};

// ---- TokenFingerprint --------------------------------------------------

TEST(TokenFingerprint, IsTheFirst16HexDigitsOfSha256) {
  EXPECT_EQ(TokenFingerprint(""), "e3b0c44298fc1c14");
  EXPECT_EQ(TokenFingerprint("abc"), "ba7816bf8f01cfea");
}

// ---- MintCapabilityToken: success -----------------------------------------

TEST_F(TokenMinterTest, MintsAPythonTokenTheVerifierAccepts) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::CapabilityRequest request = FullRequest();
  request.set_profile(v1::PROFILE_TWILIO_PYTHON);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse response,
      minter->MintCapabilityToken(request, kAnonymous, &audit));

  EXPECT_EQ(response.profile(), v1::PROFILE_TWILIO_PYTHON);
  EXPECT_EQ(response.issue_time().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(response.issue_time().nanos(), 0);
  EXPECT_EQ(response.expire_time().seconds(), absl::ToUnixSeconds(kNow) + 600);
  EXPECT_EQ(response.expire_time().nanos(), 0);
  EXPECT_THAT(response.token_fingerprint(), MatchesRegex("[0-9a-f]{16}"));
  EXPECT_EQ(response.token_fingerprint(), TokenFingerprint(response.token()));

  ASSERT_OK_AND_ASSIGN(token::VerifiedCapabilityToken verified,
                       LibraryVerify(response.token(), kSecret));
  EXPECT_EQ(verified.claims().account_sid, kSid);
  EXPECT_EQ(verified.claims().expire_time, kNow + absl::Seconds(600));
  EXPECT_FALSE(verified.claims().issue_time.has_value());  // python: no iat
  ASSERT_EQ(verified.claims().scopes.size(), 3u);
  EXPECT_EQ(verified.claims().scopes[0],
            token::CapabilityScope(token::ClientIncomingScope{kClientName}));
}

TEST_F(TokenMinterTest, MintsANodeTokenTheVerifierAccepts) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::CapabilityRequest request = FullRequest();
  request.set_profile(v1::PROFILE_TWILIO_NODE);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse response,
      minter->MintCapabilityToken(request, kAnonymous, &audit));

  EXPECT_EQ(response.profile(), v1::PROFILE_TWILIO_NODE);
  EXPECT_EQ(response.issue_time().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(response.expire_time().seconds(), absl::ToUnixSeconds(kNow) + 600);
  EXPECT_EQ(response.token_fingerprint(), TokenFingerprint(response.token()));

  ASSERT_OK_AND_ASSIGN(token::VerifiedCapabilityToken verified,
                       LibraryVerify(response.token(), kSecret));
  EXPECT_EQ(verified.claims().account_sid, kSid);
  ASSERT_TRUE(verified.claims().issue_time.has_value());  // node: iat
  EXPECT_EQ(*verified.claims().issue_time, kNow);
  EXPECT_THAT(verified.claims().scopes,
              ElementsAre(token::CapabilityScope(
                              token::ClientIncomingScope{kClientName}),
                          token::CapabilityScope(token::ClientOutgoingScope{
                              kAppSid, {{"To", "+15551234567"}}, ""}),
                          token::CapabilityScope(
                              token::EventStreamScope{{{"path", "/calls"}}})));
}

TEST_F(TokenMinterTest, TokenDoesNotVerifyWithAnotherKey) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  const std::string token = MintFull(*minter);
  EXPECT_THAT(LibraryVerify(token, kVerifyOnlySecret),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("")));
}

TEST_F(TokenMinterTest, UnspecifiedProfileUsesTheDefaultProfile) {
  const std::pair<token::Profile, v1::Profile> kProfiles[] = {
      {token::Profile::kTwilioPython, v1::PROFILE_TWILIO_PYTHON},
      {token::Profile::kTwilioNode, v1::PROFILE_TWILIO_NODE},
      {token::Profile::kTwilioPython6, v1::PROFILE_TWILIO_PYTHON_6},
      {token::Profile::kTwilioPython7, v1::PROFILE_TWILIO_PYTHON_7},
  };
  for (const auto& [profile, wire_profile] : kProfiles) {
    std::unique_ptr<TokenMinter> minter = NewMinter(profile);
    v1::CapabilityRequest request = FullRequest();
    request.set_profile(v1::PROFILE_UNSPECIFIED);
    AuditRecord audit;
    ASSERT_OK_AND_ASSIGN(
        v1::TokenResponse response,
        minter->MintCapabilityToken(request, kAnonymous, &audit));
    const bool node = profile == token::Profile::kTwilioNode;
    EXPECT_EQ(response.profile(), wire_profile);
    EXPECT_EQ(audit.profile, token::ProfileName(profile));
    // The token itself follows the profile: only node writes iat.
    ASSERT_OK_AND_ASSIGN(token::VerifiedCapabilityToken verified,
                         LibraryVerify(response.token(), kSecret));
    EXPECT_EQ(verified.claims().issue_time.has_value(), node);
  }
}

TEST_F(TokenMinterTest, ExplicitProfileOverridesTheDefault) {
  std::unique_ptr<TokenMinter> minter = NewMinter(token::Profile::kTwilioNode);
  v1::CapabilityRequest request = FullRequest();
  request.set_profile(v1::PROFILE_TWILIO_PYTHON);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse response,
      minter->MintCapabilityToken(request, kAnonymous, &audit));
  EXPECT_EQ(response.profile(), v1::PROFILE_TWILIO_PYTHON);
  EXPECT_EQ(audit.profile, "twilio-python");
}

TEST_F(TokenMinterTest, NoLifetimeMeansOneHour) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::CapabilityRequest request = FullRequest();
  request.clear_ttl();
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse response,
      minter->MintCapabilityToken(request, kAnonymous, &audit));
  EXPECT_EQ(response.expire_time().seconds(), absl::ToUnixSeconds(kNow) + 3600);
  EXPECT_EQ(audit.ttl_seconds, 3600);
}

TEST_F(TokenMinterTest, ExpireTimeSetsTheExpiry) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::CapabilityRequest request = FullRequest();
  request.clear_ttl();
  request.mutable_expire_time()->set_seconds(absl::ToUnixSeconds(kNow) + 120);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse response,
      minter->MintCapabilityToken(request, kAnonymous, &audit));
  EXPECT_EQ(response.expire_time().seconds(), absl::ToUnixSeconds(kNow) + 120);
  EXPECT_EQ(audit.ttl_seconds, 120);
}

TEST_F(TokenMinterTest, TimesAreWholeSecondsOfTheClock) {
  clock_.Set(kNow + absl::Milliseconds(999));
  std::unique_ptr<TokenMinter> minter = NewMinter();
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse response,
      minter->MintCapabilityToken(FullRequest(), kAnonymous, &audit));
  EXPECT_EQ(response.issue_time().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(response.issue_time().nanos(), 0);
  EXPECT_EQ(response.expire_time().seconds(), absl::ToUnixSeconds(kNow) + 600);
}

TEST_F(TokenMinterTest, EmptyScopeListIsAllowed) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::CapabilityRequest request;
  request.set_account_sid(kSid);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse response,
      minter->MintCapabilityToken(request, kAnonymous, &audit));
  ASSERT_OK_AND_ASSIGN(token::VerifiedCapabilityToken verified,
                       LibraryVerify(response.token(), kSecret));
  EXPECT_TRUE(verified.claims().scopes.empty());
  EXPECT_TRUE(audit.scope_kinds.empty());
}

// ---- MintCapabilityToken: audit -------------------------------------------

TEST_F(TokenMinterTest, MintFillsTheAuditRecord) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse response,
      minter->MintCapabilityToken(FullRequest(), kAnonymous, &audit));
  EXPECT_EQ(audit.method, "MintCapabilityToken");
  EXPECT_EQ(audit.account_sid, kSid);
  EXPECT_THAT(
      audit.scope_kinds,
      ElementsAre("client_incoming", "client_outgoing", "event_stream"));
  EXPECT_EQ(audit.profile, "twilio-python");
  EXPECT_EQ(audit.ttl_seconds, 600);
  EXPECT_EQ(audit.token_fingerprint, response.token_fingerprint());
  EXPECT_EQ(audit.token_fingerprint, TokenFingerprint(response.token()));
  EXPECT_EQ(audit.verdict, "");
}

TEST_F(TokenMinterTest, AuditNeverHoldsTheClientNameParamsOrToken) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::CapabilityRequest request = FullRequest();
  request.mutable_scopes(1)->mutable_client_outgoing()->set_client_name(
      kClientName);
  for (v1::Profile profile :
       {v1::PROFILE_TWILIO_PYTHON, v1::PROFILE_TWILIO_NODE,
        v1::PROFILE_TWILIO_PYTHON_6, v1::PROFILE_TWILIO_PYTHON_7}) {
    request.set_profile(profile);
    AuditRecord audit;
    ASSERT_OK_AND_ASSIGN(
        v1::TokenResponse response,
        minter->MintCapabilityToken(request, kAnonymous, &audit));
    for (const std::string& field : AuditStrings(audit)) {
      EXPECT_THAT(field, Not(HasSubstr(kClientName)));
      EXPECT_THAT(field, Not(HasSubstr("+15551234567")));
      EXPECT_THAT(field, Not(HasSubstr("/calls")));
      EXPECT_THAT(field, Not(HasSubstr(kSecret)));
      EXPECT_NE(field, response.token());
    }
  }
}

TEST_F(TokenMinterTest, AuditOfARefusedRequestHasNoFingerprint) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::CapabilityRequest request = FullRequest();
  request.mutable_ttl()->set_seconds(0);
  AuditRecord audit;
  EXPECT_THAT(minter->MintCapabilityToken(request, kAnonymous, &audit),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ttl")));
  EXPECT_EQ(audit.method, "MintCapabilityToken");
  EXPECT_EQ(audit.account_sid, kSid);
  EXPECT_EQ(audit.scope_kinds.size(), 3u);
  EXPECT_EQ(audit.token_fingerprint, "");
  for (const std::string& field : AuditStrings(audit)) {
    EXPECT_THAT(field, Not(HasSubstr(kClientName)));
  }
}

// ---- MintCapabilityToken: invalid requests -------------------------------

struct InvalidCase {
  const char* name;
  void (*mutate)(v1::CapabilityRequest* request);
  const char* field;
};

const InvalidCase kInvalidCases[] = {
    {"malformed account SID",
     [](v1::CapabilityRequest* r) { r->set_account_sid("ACnot-a-sid"); },
     "account_sid"},
    {"empty account SID",
     [](v1::CapabilityRequest* r) { r->clear_account_sid(); }, "account_sid"},
    {"application SID as account SID",
     [](v1::CapabilityRequest* r) { r->set_account_sid(kAppSid); },
     "account_sid"},
    {"scope with no kind", [](v1::CapabilityRequest* r) { r->add_scopes(); },
     "scopes[3]"},
    {"bad application SID",
     [](v1::CapabilityRequest* r) {
       r->mutable_scopes(1)->mutable_client_outgoing()->set_application_sid(
           "AP123");
     },
     "scopes[1].client_outgoing.application_sid"},
    {"missing application SID",
     [](v1::CapabilityRequest* r) {
       r->mutable_scopes(1)->mutable_client_outgoing()->clear_application_sid();
     },
     "scopes[1].client_outgoing.application_sid"},
    {"empty client name",
     [](v1::CapabilityRequest* r) {
       r->mutable_scopes(0)->mutable_client_incoming()->clear_client_name();
     },
     "scopes[0].client_incoming.client_name"},
    {"client name with a control character",
     [](v1::CapabilityRequest* r) {
       r->mutable_scopes(0)->mutable_client_incoming()->set_client_name("a\nb");
     },
     "scopes[0].client_incoming.client_name"},
    {"duplicate parameter key",
     [](v1::CapabilityRequest* r) {
       v1::Param* param =
           r->mutable_scopes(1)->mutable_client_outgoing()->add_params();
       param->set_key("To");
       param->set_value("+15550000000");
     },
     "scopes[1].client_outgoing.params[1].key"},
    {"ttl 0",
     [](v1::CapabilityRequest* r) { r->mutable_ttl()->set_seconds(0); }, "ttl"},
    {"negative ttl",
     [](v1::CapabilityRequest* r) { r->mutable_ttl()->set_seconds(-1); },
     "ttl"},
    {"fractional ttl",
     [](v1::CapabilityRequest* r) { r->mutable_ttl()->set_nanos(1); }, "ttl"},
    {"ttl over the maximum",
     [](v1::CapabilityRequest* r) {
       r->mutable_ttl()->set_seconds(24 * 3600 + 1);
     },
     "ttl"},
    {"ttl out of protobuf range",
     [](v1::CapabilityRequest* r) {
       r->mutable_ttl()->set_seconds(int64_t{1} << 62);
     },
     "ttl"},
    {"ttl and expire_time both",
     [](v1::CapabilityRequest* r) {
       r->mutable_expire_time()->set_seconds(1700000600);
     },
     "ttl, expire_time"},
    {"expire_time in the past",
     [](v1::CapabilityRequest* r) {
       r->clear_ttl();
       r->mutable_expire_time()->set_seconds(1700000000 - 1);
     },
     "expire_time"},
    {"expire_time over the maximum",
     [](v1::CapabilityRequest* r) {
       r->clear_ttl();
       r->mutable_expire_time()->set_seconds(1700000000 + 24 * 3600 + 1);
     },
     "expire_time"},
    {"too many scopes",
     [](v1::CapabilityRequest* r) {
       r->clear_scopes();
       for (int i = 0; i < 17; ++i) {
         r->add_scopes()->mutable_event_stream();
       }
     },
     "scopes"},
    {"unknown profile",
     [](v1::CapabilityRequest* r) {
       r->set_profile(static_cast<v1::Profile>(99));
     },
     "profile"},
};

TEST_F(TokenMinterTest, EachInvalidRequestIsRefusedNamingTheField) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  for (const InvalidCase& c : kInvalidCases) {
    v1::CapabilityRequest request = FullRequest();
    c.mutate(&request);
    AuditRecord audit;
    const absl::StatusOr<v1::TokenResponse> response =
        minter->MintCapabilityToken(request, kAnonymous, &audit);
    EXPECT_THAT(response, StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr(absl::StrCat(c.field, ":"))))
        << c.name;
    EXPECT_THAT(std::string(response.status().message()),
                Not(HasSubstr(kClientName)))
        << c.name;
    EXPECT_THAT(std::string(response.status().message()),
                Not(HasSubstr(kSecret)))
        << c.name;
    EXPECT_EQ(audit.token_fingerprint, "") << c.name;
  }
}

TEST_F(TokenMinterTest, SixteenScopesAreAllowed) {
  std::unique_ptr<TokenMinter> minter = NewMinter(token::Profile::kTwilioNode);
  v1::CapabilityRequest request = FullRequest();
  request.clear_scopes();
  for (int i = 0; i < 16; ++i) request.add_scopes()->mutable_event_stream();
  AuditRecord audit;
  EXPECT_THAT(minter->MintCapabilityToken(request, kAnonymous, &audit), IsOk());
  EXPECT_EQ(audit.scope_kinds.size(), 16u);
}

TEST_F(TokenMinterTest, TtlOfExactlyTheMaximumIsAllowed) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::CapabilityRequest request = FullRequest();
  request.mutable_ttl()->set_seconds(24 * 3600);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse response,
      minter->MintCapabilityToken(request, kAnonymous, &audit));
  EXPECT_EQ(response.expire_time().seconds(),
            absl::ToUnixSeconds(kNow) + 24 * 3600);
}

TEST_F(TokenMinterTest, SigningLimitsOfTheOptionsApply) {
  TokenMinter::Options options;
  options.clock = &clock_;
  options.signing_limits.max_ttl = absl::Seconds(300);
  options.signing_limits.max_scopes = 2;
  TokenMinter minter(options, State(DefaultAccounts()));
  AuditRecord audit;
  v1::CapabilityRequest request = FullRequest();  // 3 scopes
  EXPECT_THAT(
      minter.MintCapabilityToken(request, kAnonymous, &audit),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("scopes:")));
  request.mutable_scopes()->RemoveLast();
  EXPECT_THAT(minter.MintCapabilityToken(request, kAnonymous, &audit),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ttl:")));
  request.mutable_ttl()->set_seconds(300);
  EXPECT_THAT(minter.MintCapabilityToken(request, kAnonymous, &audit), IsOk());
}

// ---- MintCapabilityToken: accounts ----------------------------------------

TEST_F(TokenMinterTest, UnknownAndVerifyOnlyAccountsAreDeniedAlike) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::CapabilityRequest unknown = FullRequest();
  unknown.set_account_sid(kUnknownSid);
  v1::CapabilityRequest verify_only = FullRequest();
  verify_only.set_account_sid(kVerifyOnlySid);

  AuditRecord unknown_audit;
  const absl::Status unknown_status =
      minter->MintCapabilityToken(unknown, kAnonymous, &unknown_audit).status();
  AuditRecord verify_only_audit;
  const absl::Status verify_only_status =
      minter->MintCapabilityToken(verify_only, kAnonymous, &verify_only_audit)
          .status();

  EXPECT_THAT(unknown_status, StatusIs(absl::StatusCode::kPermissionDenied,
                                       Eq(std::string(authz::kAccountDenied))));
  EXPECT_THAT(verify_only_status,
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(authz::kAccountDenied))));
  EXPECT_EQ(unknown_status, verify_only_status);
  EXPECT_EQ(unknown_audit.account_sid, kUnknownSid);
  EXPECT_EQ(verify_only_audit.account_sid, kVerifyOnlySid);
  EXPECT_EQ(unknown_audit.token_fingerprint, "");
  EXPECT_EQ(verify_only_audit.token_fingerprint, "");
}

// ---- VerifyToken --------------------------------------------------------

TEST_F(TokenMinterTest, VerifiesAValidToken) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  for (v1::Profile profile :
       {v1::PROFILE_TWILIO_PYTHON, v1::PROFILE_TWILIO_NODE,
        v1::PROFILE_TWILIO_PYTHON_6, v1::PROFILE_TWILIO_PYTHON_7}) {
    const std::string token = MintFull(*minter, profile);
    AuditRecord audit;
    ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                         VerifyThrough(*minter, token, "", &audit));
    EXPECT_TRUE(response.valid());
    EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_UNSPECIFIED);
    EXPECT_EQ(response.account_sid(), kSid);
    EXPECT_EQ(response.scopes_size(), 3);
    EXPECT_EQ(response.expire_time().seconds(),
              absl::ToUnixSeconds(kNow) + 600);
    EXPECT_EQ(response.has_issue_time(), profile == v1::PROFILE_TWILIO_NODE);

    EXPECT_EQ(audit.method, "VerifyToken");
    EXPECT_EQ(audit.account_sid, kSid);
    EXPECT_EQ(audit.verdict, "valid");
    EXPECT_EQ(audit.token_fingerprint, TokenFingerprint(token));
    for (const std::string& field : AuditStrings(audit)) {
      EXPECT_THAT(field, Not(HasSubstr(kClientName)));
      EXPECT_NE(field, token);
    }
  }
}

TEST_F(TokenMinterTest, VerifiesAValidTokenForTheRequestedAccount) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       VerifyThrough(*minter, MintFull(*minter), kSid, &audit));
  EXPECT_TRUE(response.valid());
  EXPECT_EQ(response.account_sid(), kSid);
  EXPECT_EQ(audit.account_sid, kSid);
}

TEST_F(TokenMinterTest, ExpiredTokenIsInvalidButKeepsItsClaims) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  const std::string token = MintFull(*minter);
  clock_.Advance(absl::Seconds(600));  // exp == now is expired
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       VerifyThrough(*minter, token, "", &audit));
  EXPECT_FALSE(response.valid());
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_EXPIRED);
  EXPECT_EQ(response.account_sid(), kSid);
  EXPECT_EQ(response.scopes_size(), 3);
  EXPECT_EQ(response.expire_time().seconds(), absl::ToUnixSeconds(kNow) + 600);
  EXPECT_EQ(audit.verdict, "expired");
}

TEST_F(TokenMinterTest, TokenIsValidUntilTheSecondBeforeExpiry) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  const std::string token = MintFull(*minter);
  clock_.Advance(absl::Seconds(599));
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       VerifyThrough(*minter, token, "", &audit));
  EXPECT_TRUE(response.valid());
}

// Returns `a`'s header and payload with `b`'s signature.
std::string Splice(const std::string& a, const std::string& b) {
  return absl::StrCat(a.substr(0, a.rfind('.')), b.substr(b.rfind('.')));
}

TEST_F(TokenMinterTest, TamperedTokenHasABadSignatureAndNoClaims) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  const std::string original = MintFull(*minter);
  v1::CapabilityRequest other_request = FullRequest();
  other_request.mutable_scopes(0)->mutable_client_incoming()->set_client_name(
      "mallory");
  AuditRecord mint_audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse other,
      minter->MintCapabilityToken(other_request, kAnonymous, &mint_audit));
  // mallory's claims under alice's signature.
  const std::string tampered = Splice(other.token(), original);
  ASSERT_NE(tampered, other.token());
  ASSERT_NE(tampered, original);

  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       VerifyThrough(*minter, tampered, "", &audit));
  EXPECT_FALSE(response.valid());
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_BAD_SIGNATURE);
  EXPECT_EQ(response.account_sid(), "");
  EXPECT_EQ(response.scopes_size(), 0);
  EXPECT_FALSE(response.has_expire_time());
  EXPECT_FALSE(response.has_issue_time());
  EXPECT_EQ(audit.verdict, "bad_signature");
  EXPECT_EQ(audit.token_fingerprint, TokenFingerprint(tampered));
}

TEST_F(TokenMinterTest, TokenOfAnotherAccountIsTheWrongAccount) {
  // kSharedKeySid's token verifies under kSid's key, so the verifier gets
  // past the MAC to the iss check.
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::CapabilityRequest mint = FullRequest();
  mint.set_account_sid(kSharedKeySid);
  AuditRecord mint_audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse minted,
      minter->MintCapabilityToken(mint, kAnonymous, &mint_audit));

  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       VerifyThrough(*minter, minted.token(), kSid, &audit));
  EXPECT_FALSE(response.valid());
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_WRONG_ACCOUNT);
  EXPECT_EQ(audit.verdict, "wrong_account");
  EXPECT_EQ(audit.account_sid, kSid);
}

TEST_F(TokenMinterTest, TokenOfAnAccountWithAnotherKeyHasABadSignature) {
  // Checked against the requested account's key, another account's token
  // fails at the MAC, before its iss is read.
  std::vector<config::AccountKeys::Account> accounts;
  accounts.push_back({kSid, TestKey(kSecret), false});
  accounts.push_back({kVerifyOnlySid, TestKey(kVerifyOnlySecret), false});
  std::unique_ptr<TokenMinter> minter =
      NewMinter(token::Profile::kTwilioPython,
                config::AccountKeys::FromAccounts(std::move(accounts)));
  v1::CapabilityRequest mint = FullRequest();
  mint.set_account_sid(kVerifyOnlySid);
  AuditRecord mint_audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse minted,
      minter->MintCapabilityToken(mint, kAnonymous, &mint_audit));

  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       VerifyThrough(*minter, minted.token(), kSid, &audit));
  EXPECT_FALSE(response.valid());
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_BAD_SIGNATURE);
  EXPECT_EQ(response.account_sid(), "");
}

TEST_F(TokenMinterTest, VerifyOnlyAccountsTokensStillVerify) {
  std::vector<config::AccountKeys::Account> accounts;
  accounts.push_back({kVerifyOnlySid, TestKey(kVerifyOnlySecret), false});
  std::unique_ptr<TokenMinter> minter =
      NewMinter(token::Profile::kTwilioPython,
                config::AccountKeys::FromAccounts(std::move(accounts)));
  v1::CapabilityRequest mint = FullRequest();
  mint.set_account_sid(kVerifyOnlySid);
  AuditRecord mint_audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse minted,
      minter->MintCapabilityToken(mint, kAnonymous, &mint_audit));

  // The account is retired to verify-only.
  minter->SetState(State(DefaultAccounts()));
  AuditRecord denied_audit;
  EXPECT_THAT(minter->MintCapabilityToken(mint, kAnonymous, &denied_audit),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(authz::kAccountDenied))));
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       VerifyThrough(*minter, minted.token(), "", &audit));
  EXPECT_TRUE(response.valid());
  EXPECT_EQ(response.account_sid(), kVerifyOnlySid);
}

TEST_F(TokenMinterTest, TokenOfAnUnknownAccountIsDenied) {
  // Minted by another server that knows the account.
  std::vector<config::AccountKeys::Account> elsewhere;
  elsewhere.push_back({kUnknownSid, TestKey(kSecret), false});
  std::unique_ptr<TokenMinter> other =
      NewMinter(token::Profile::kTwilioPython,
                config::AccountKeys::FromAccounts(std::move(elsewhere)));
  v1::CapabilityRequest mint = FullRequest();
  mint.set_account_sid(kUnknownSid);
  AuditRecord mint_audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse minted,
      other->MintCapabilityToken(mint, kAnonymous, &mint_audit));

  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::VerifyTokenRequest by_issuer;
  by_issuer.set_token(minted.token());
  AuditRecord audit;
  EXPECT_THAT(minter->VerifyToken(by_issuer, kAnonymous, &audit),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(authz::kAccountDenied))));
  EXPECT_EQ(audit.account_sid, kUnknownSid);

  v1::VerifyTokenRequest by_request;
  by_request.set_token(MintFull(*minter));
  by_request.set_account_sid(kUnknownSid);
  AuditRecord request_audit;
  EXPECT_THAT(minter->VerifyToken(by_request, kAnonymous, &request_audit),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(authz::kAccountDenied))));
}

// A compact JWT with `payload_json` and a signature that is not checked
// before the issuer is read.
std::string UnsignedToken(absl::string_view payload_json) {
  return absl::StrCat(
      absl::WebSafeBase64Escape("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"), ".",
      absl::WebSafeBase64Escape(payload_json), ".",
      absl::WebSafeBase64Escape(std::string(32, 'S')));
}

TEST_F(TokenMinterTest, TokenThatNamesNoAccountIsMalformed) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  for (const std::string& token : {
           UnsignedToken("{\"scope\":\"\",\"exp\":1700003600}"),
           UnsignedToken("{\"scope\":\"\",\"iss\":\"nobody\",\"exp\":1}"),
           UnsignedToken("{\"scope\":\"\",\"iss\":42,\"exp\":1}"),
           UnsignedToken("{\"iss\":\"AP0123456789abcdef0123456789abcdef\"}"),
           UnsignedToken("[\"AC0123456789abcdef0123456789abcdef\"]"),
           UnsignedToken("not json"),
       }) {
    AuditRecord audit;
    ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                         VerifyThrough(*minter, token, "", &audit));
    EXPECT_FALSE(response.valid()) << token;
    EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_MALFORMED) << token;
    EXPECT_EQ(response.account_sid(), "") << token;
    EXPECT_EQ(audit.verdict, "malformed") << token;
    EXPECT_EQ(audit.token_fingerprint, TokenFingerprint(token));
  }
}

TEST_F(TokenMinterTest, GarbageIsMalformed) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  for (const char* token :
       {"garbage", "a.b", "a.b.c", "..", "a..c", "a.b.c.d", "!!!.???.***"}) {
    AuditRecord audit;
    ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                         VerifyThrough(*minter, token, "", &audit));
    EXPECT_FALSE(response.valid()) << token;
    EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_MALFORMED) << token;
    EXPECT_EQ(audit.verdict, "malformed") << token;
  }
}

TEST_F(TokenMinterTest, GarbageForARequestedAccountIsMalformed) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       VerifyThrough(*minter, "garbage", kSid, &audit));
  EXPECT_FALSE(response.valid());
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_MALFORMED);
}

TEST_F(TokenMinterTest, OversizeTokenIsTooLarge) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  const std::string token(token::kMaxVerifyTokenBytes + 1, 'a');
  for (const char* account_sid : {"", kSid}) {
    AuditRecord audit;
    ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                         VerifyThrough(*minter, token, account_sid, &audit));
    EXPECT_FALSE(response.valid()) << account_sid;
    EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_TOO_LARGE)
        << account_sid;
    EXPECT_EQ(audit.verdict, "too_large") << account_sid;
  }
}

TEST_F(TokenMinterTest, TokenAtTheSizeLimitIsExamined) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(
      v1::VerifyTokenResponse response,
      VerifyThrough(*minter, std::string(token::kMaxVerifyTokenBytes, 'a'), "",
                    &audit));
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_MALFORMED);
}

TEST_F(TokenMinterTest, MaxVerifyTokenBytesOfTheOptionsApplies) {
  TokenMinter::Options options;
  options.clock = &clock_;
  options.max_verify_token_bytes = 64;
  TokenMinter minter(options, State(DefaultAccounts()));
  v1::VerifyTokenRequest request;
  request.set_token(MintFull(minter));
  ASSERT_GT(request.token().size(), 64u);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       minter.VerifyToken(request, kAnonymous, &audit));
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_TOO_LARGE);
}

TEST_F(TokenMinterTest, EmptyTokenIsAnInvalidRequest) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::VerifyTokenRequest request;
  request.set_account_sid(kSid);
  AuditRecord audit;
  EXPECT_THAT(minter->VerifyToken(request, kAnonymous, &audit),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("token")));
  EXPECT_EQ(audit.method, "VerifyToken");
}

TEST_F(TokenMinterTest, MalformedRequestedAccountIsAnInvalidRequest) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  for (const char* account_sid : {"AC123", kAppSid, "ac0123456789"}) {
    v1::VerifyTokenRequest request;
    request.set_token(MintFull(*minter));
    request.set_account_sid(account_sid);
    AuditRecord audit;
    EXPECT_THAT(
        minter->VerifyToken(request, kAnonymous, &audit),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("account_sid:")))
        << account_sid;
  }
}

// ---- SetState --------------------------------------------------------------

TEST_F(TokenMinterTest, SetStateSwitchesKeys) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  const std::string old_token = MintFull(*minter);

  // kSid's auth token is rotated; kSharedKeySid and kVerifyOnlySid are
  // removed.
  std::vector<config::AccountKeys::Account> rotated;
  rotated.push_back({kSid, TestKey(kNewSecret), false});
  minter->SetState(
      State(config::AccountKeys::FromAccounts(std::move(rotated))));

  v1::VerifyTokenRequest verify_old;
  verify_old.set_token(old_token);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse old_response,
                       minter->VerifyToken(verify_old, kAnonymous, &audit));
  EXPECT_FALSE(old_response.valid());
  EXPECT_EQ(old_response.failure(), v1::VERIFICATION_FAILURE_BAD_SIGNATURE);

  const std::string new_token = MintFull(*minter);
  EXPECT_THAT(LibraryVerify(new_token, kNewSecret), IsOk());
  EXPECT_THAT(LibraryVerify(new_token, kSecret), Not(IsOk()));
  v1::VerifyTokenRequest verify_new;
  verify_new.set_token(new_token);
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse new_response,
                       minter->VerifyToken(verify_new, kAnonymous, &audit));
  EXPECT_TRUE(new_response.valid());

  v1::CapabilityRequest removed = FullRequest();
  removed.set_account_sid(kSharedKeySid);
  AuditRecord removed_audit;
  EXPECT_THAT(minter->MintCapabilityToken(removed, kAnonymous, &removed_audit),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(authz::kAccountDenied))));
}

TEST_F(TokenMinterTest, TwoMintersOnOneThreadKeepTheirOwnAccounts) {
  // Both minters read their state through Snapshot<ServingState> on
  // this thread; neither may see the other's.
  std::unique_ptr<TokenMinter> first = NewMinter();
  std::vector<config::AccountKeys::Account> accounts;
  accounts.push_back({kUnknownSid, TestKey(kNewSecret), false});
  std::unique_ptr<TokenMinter> second =
      NewMinter(token::Profile::kTwilioPython,
                config::AccountKeys::FromAccounts(std::move(accounts)));
  for (int i = 0; i < 3; ++i) {
    AuditRecord audit;
    v1::CapabilityRequest for_first = FullRequest();
    v1::CapabilityRequest for_second = FullRequest();
    for_second.set_account_sid(kUnknownSid);
    EXPECT_THAT(first->MintCapabilityToken(for_first, kAnonymous, &audit),
                IsOk());
    EXPECT_THAT(second->MintCapabilityToken(for_first, kAnonymous, &audit),
                StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("")));
    EXPECT_THAT(second->MintCapabilityToken(for_second, kAnonymous, &audit),
                IsOk());
    EXPECT_THAT(first->MintCapabilityToken(for_second, kAnonymous, &audit),
                StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("")));
  }
}

// ---- Caller policies -------------------------------------------------------

constexpr char kFrontend[] = "spiffe://example.org/ns/web/sa/frontend";
constexpr char kIncomingOnly[] = "spiffe://example.org/ns/web/sa/incoming";
constexpr char kLongLived[] = "spiffe://example.org/ns/web/sa/long";
constexpr char kNightly[] = "spiffe://example.org/ns/batch/sa/nightly";
constexpr char kHourly[] = "spiffe://example.org/ns/batch/sa/hourly";
constexpr char kStranger[] = "spiffe://example.org/ns/web/sa/stranger";

const authz::CallerIdentity kFrontendCaller{kFrontend, "tls_spiffe_id"};
const authz::CallerIdentity kIncomingOnlyCaller{kIncomingOnly, "tls_spiffe_id"};
const authz::CallerIdentity kLongLivedCaller{kLongLived, "tls_spiffe_id"};
const authz::CallerIdentity kNightlyCaller{kNightly, "forwarded_client_cert"};
const authz::CallerIdentity kHourlyCaller{kHourly, "forwarded_client_cert"};
const authz::CallerIdentity kStrangerCaller{kStranger, "tls_spiffe_id"};

// kFrontend may mint everything for kSid only, with lower-case client names,
// for at most 10 minutes; kIncomingOnly may mint incoming scopes for any
// account; kLongLived tokens without scopes for up to 2 h; the batch jobs
// event streams for any account, once a second with a burst of two.
constexpr char kPolicies[] = R"pb(
  callers {
    identity: "spiffe://example.org/ns/web/sa/frontend"
    accounts: "AC0123456789abcdef0123456789abcdef"
    scope_kinds: SCOPE_KIND_CLIENT_INCOMING
    scope_kinds: SCOPE_KIND_CLIENT_OUTGOING
    scope_kinds: SCOPE_KIND_EVENT_STREAM
    client_name_pattern: "[a-z_]{1,32}"
    max_ttl { seconds: 600 }
  }
  callers {
    identity: "spiffe://example.org/ns/web/sa/incoming"
    accounts: "*"
    scope_kinds: SCOPE_KIND_CLIENT_INCOMING
  }
  callers {
    identity: "spiffe://example.org/ns/web/sa/long"
    accounts: "*"
    max_ttl { seconds: 7200 }
  }
  callers {
    identity_pattern: "spiffe://example\\.org/ns/batch/sa/[a-z]+"
    accounts: "*"
    scope_kinds: SCOPE_KIND_EVENT_STREAM
    rate { per_second: 1 burst: 2 }
  }
)pb";

v1::CapabilityRequest IncomingRequest(
    absl::string_view account_sid = kSid,
    absl::string_view client_name = kClientName) {
  v1::CapabilityRequest request;
  request.set_account_sid(std::string(account_sid));
  request.add_scopes()->mutable_client_incoming()->set_client_name(
      std::string(client_name));
  request.mutable_ttl()->set_seconds(600);
  return request;
}

v1::CapabilityRequest EventsRequest(absl::string_view account_sid = kSid) {
  v1::CapabilityRequest request;
  request.set_account_sid(std::string(account_sid));
  request.add_scopes()->mutable_event_stream();
  request.mutable_ttl()->set_seconds(600);
  return request;
}

class CallerPolicyTest : public TokenMinterTest {
 protected:
  std::unique_ptr<TokenMinter> PolicyMinter(
      std::shared_ptr<const config::AccountKeys> accounts = DefaultAccounts()) {
    return NewMinter(State(std::move(accounts), TestPolicies(kPolicies)));
  }

  absl::Status Mint(const TokenMinter& minter,
                    const v1::CapabilityRequest& request,
                    const authz::CallerIdentity& caller) {
    AuditRecord audit;
    return minter.MintCapabilityToken(request, caller, &audit).status();
  }
};

TEST_F(CallerPolicyTest, OpenAccessServesAnyCallerIncludingAnonymous) {
  std::unique_ptr<TokenMinter> minter = NewMinter(State(DefaultAccounts()));
  for (const authz::CallerIdentity& caller : {kAnonymous, kStrangerCaller}) {
    AuditRecord audit;
    ASSERT_OK_AND_ASSIGN(
        v1::TokenResponse response,
        minter->MintCapabilityToken(FullRequest(), caller, &audit));
    EXPECT_THAT(LibraryVerify(response.token(), kSecret), IsOk());
    v1::VerifyTokenRequest verify;
    verify.set_token(response.token());
    ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse verdict,
                         minter->VerifyToken(verify, caller, &audit));
    EXPECT_TRUE(verdict.valid()) << caller.identity;
  }
}

TEST_F(CallerPolicyTest, OpenAccessAppliesNoRate) {
  std::unique_ptr<TokenMinter> minter = NewMinter(State(DefaultAccounts()));
  for (int i = 0; i < 50; ++i) {
    EXPECT_THAT(Mint(*minter, EventsRequest(), kNightlyCaller), IsOk()) << i;
  }
}

TEST_F(CallerPolicyTest, WithPoliciesAnAnonymousCallerIsUnauthenticated) {
  std::unique_ptr<TokenMinter> minter = PolicyMinter();
  AuditRecord audit;
  const absl::Status anonymous =
      minter->MintCapabilityToken(FullRequest(), kAnonymous, &audit).status();
  EXPECT_THAT(anonymous,
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("")));
  EXPECT_EQ(authz::RefusalReasonOf(anonymous),
            authz::RefusalReason::kUnauthenticated);
  EXPECT_EQ(audit.method, "MintCapabilityToken");
  EXPECT_EQ(audit.token_fingerprint, "");

  v1::VerifyTokenRequest verify;
  verify.set_token(MintFull(*NewMinter()));
  AuditRecord verify_audit;
  EXPECT_THAT(minter->VerifyToken(verify, kAnonymous, &verify_audit),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("")));
}

TEST_F(CallerPolicyTest, UnknownCallerIsDeniedExactlyLikeAnUnknownAccount) {
  std::unique_ptr<TokenMinter> minter = PolicyMinter();
  // Default deny: a caller no policy names.
  const absl::Status stranger =
      Mint(*minter, IncomingRequest(kSid), kStrangerCaller);
  // An account the server does not hold, for a caller allowed every account.
  const absl::Status unknown_account =
      Mint(*minter, IncomingRequest(kUnknownSid), kIncomingOnlyCaller);
  // An account the server holds but the caller may not use.
  const absl::Status forbidden_account =
      Mint(*minter, IncomingRequest(kSharedKeySid), kFrontendCaller);
  // A verify-only account.
  const absl::Status verify_only =
      Mint(*minter, IncomingRequest(kVerifyOnlySid), kIncomingOnlyCaller);

  // The caller sees the same code and message for all four...
  for (const absl::Status& status :
       {stranger, unknown_account, forbidden_account, verify_only}) {
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kPermissionDenied,
                                 Eq(std::string(authz::kAccountDenied))));
    EXPECT_EQ(status.ToString(absl::StatusToStringMode::kWithNoExtraData),
              stranger.ToString(absl::StatusToStringMode::kWithNoExtraData));
  }
  // ...while the operator's metrics tell a caller nobody configured apart.
  EXPECT_EQ(authz::RefusalReasonOf(stranger),
            authz::RefusalReason::kUnknownCaller);
  for (const absl::Status& status :
       {unknown_account, forbidden_account, verify_only}) {
    EXPECT_EQ(authz::RefusalReasonOf(status), authz::RefusalReason::kAccount);
  }
  // The same caller may use the account it is given.
  EXPECT_THAT(Mint(*minter, IncomingRequest(kSid), kFrontendCaller), IsOk());
}

TEST_F(CallerPolicyTest, ForbiddenScopeKindIsDenied) {
  std::unique_ptr<TokenMinter> minter = PolicyMinter();
  EXPECT_THAT(Mint(*minter, IncomingRequest(), kIncomingOnlyCaller), IsOk());
  EXPECT_THAT(
      Mint(*minter, FullRequest(), kIncomingOnlyCaller),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("scopes[1]")));
  EXPECT_THAT(
      Mint(*minter, EventsRequest(), kIncomingOnlyCaller),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("scopes[0]")));
  EXPECT_THAT(
      Mint(*minter, IncomingRequest(), kNightlyCaller),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("scopes[0]")));
  EXPECT_EQ(authz::RefusalReasonOf(
                Mint(*minter, EventsRequest(), kIncomingOnlyCaller)),
            authz::RefusalReason::kScope);
}

TEST_F(CallerPolicyTest, ClientNameNotMatchingThePatternIsDenied) {
  std::unique_ptr<TokenMinter> minter = PolicyMinter();
  EXPECT_THAT(Mint(*minter, FullRequest(), kFrontendCaller), IsOk());

  const absl::Status incoming =
      Mint(*minter, IncomingRequest(kSid, "Alice-1"), kFrontendCaller);
  EXPECT_THAT(incoming, StatusIs(absl::StatusCode::kPermissionDenied,
                                 HasSubstr("client_name")));
  EXPECT_THAT(std::string(incoming.message()), Not(HasSubstr("Alice-1")));
  EXPECT_EQ(authz::RefusalReasonOf(incoming),
            authz::RefusalReason::kClientName);

  v1::CapabilityRequest outgoing = FullRequest();
  outgoing.mutable_scopes(1)->mutable_client_outgoing()->set_client_name(
      "Mallory");
  EXPECT_THAT(Mint(*minter, outgoing, kFrontendCaller),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("scopes[1].client_outgoing.client_name")));
}

TEST_F(CallerPolicyTest, TtlOverThePolicysMaximumIsDenied) {
  std::unique_ptr<TokenMinter> minter = PolicyMinter();
  v1::CapabilityRequest request = FullRequest();
  request.mutable_ttl()->set_seconds(600);
  EXPECT_THAT(Mint(*minter, request, kFrontendCaller), IsOk());
  request.mutable_ttl()->set_seconds(601);
  const absl::Status too_long = Mint(*minter, request, kFrontendCaller);
  EXPECT_THAT(too_long,
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("ttl")));
  EXPECT_EQ(authz::RefusalReasonOf(too_long), authz::RefusalReason::kTtl);

  request.clear_ttl();
  request.mutable_expire_time()->set_seconds(absl::ToUnixSeconds(kNow) + 601);
  EXPECT_THAT(Mint(*minter, request, kFrontendCaller),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("ttl")));
  request.mutable_expire_time()->set_seconds(absl::ToUnixSeconds(kNow) + 600);
  EXPECT_THAT(Mint(*minter, request, kFrontendCaller), IsOk());
}

TEST_F(CallerPolicyTest, NoTtlGetsTheDefaultShortenedToThePolicysMaximum) {
  std::unique_ptr<TokenMinter> minter = PolicyMinter();
  v1::CapabilityRequest request = FullRequest();
  request.clear_ttl();
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse response,
      minter->MintCapabilityToken(request, kFrontendCaller, &audit));
  EXPECT_EQ(response.expire_time().seconds(), absl::ToUnixSeconds(kNow) + 600);
  EXPECT_EQ(audit.ttl_seconds, 600);
}

TEST_F(CallerPolicyTest, NoTtlGetsTheServersDefaultUnderALongerMaximum) {
  std::unique_ptr<TokenMinter> minter = PolicyMinter();
  v1::CapabilityRequest request;
  request.set_account_sid(kSid);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse response,
      minter->MintCapabilityToken(request, kLongLivedCaller, &audit));
  EXPECT_EQ(response.expire_time().seconds(), absl::ToUnixSeconds(kNow) + 3600);
  // And the longer maximum is there to ask for.
  request.mutable_ttl()->set_seconds(7200);
  EXPECT_THAT(Mint(*minter, request, kLongLivedCaller), IsOk());
}

TEST_F(CallerPolicyTest, RateLimitRefusesBeyondTheBurstWithARetryDelay) {
  std::unique_ptr<TokenMinter> minter = PolicyMinter();
  EXPECT_THAT(Mint(*minter, EventsRequest(), kNightlyCaller), IsOk());
  EXPECT_THAT(Mint(*minter, EventsRequest(), kNightlyCaller), IsOk());
  AuditRecord audit;
  const absl::Status limited =
      minter->MintCapabilityToken(EventsRequest(), kNightlyCaller, &audit)
          .status();
  EXPECT_THAT(limited,
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("")));
  EXPECT_EQ(authz::RefusalReasonOf(limited),
            authz::RefusalReason::kRateLimited);
  EXPECT_EQ(audit.token_fingerprint, "");
  const absl::optional<absl::Duration> delay = RetryDelay(limited);
  ASSERT_TRUE(delay.has_value()) << limited;
  EXPECT_GT(*delay, absl::ZeroDuration());
  EXPECT_LE(*delay, absl::Seconds(1));

  clock_.Advance(*delay);
  EXPECT_THAT(Mint(*minter, EventsRequest(), kNightlyCaller), IsOk());
  EXPECT_THAT(Mint(*minter, EventsRequest(), kNightlyCaller),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("")));
}

TEST_F(CallerPolicyTest, EachCallerHasItsOwnRate) {
  std::unique_ptr<TokenMinter> minter = PolicyMinter();
  ASSERT_THAT(Mint(*minter, EventsRequest(), kNightlyCaller), IsOk());
  ASSERT_THAT(Mint(*minter, EventsRequest(), kNightlyCaller), IsOk());
  ASSERT_THAT(Mint(*minter, EventsRequest(), kNightlyCaller),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("")));
  // Another identity under the same pattern has a bucket of its own.
  EXPECT_THAT(Mint(*minter, EventsRequest(), kHourlyCaller), IsOk());
  EXPECT_THAT(Mint(*minter, EventsRequest(), kHourlyCaller), IsOk());
  // And a policy without a rate is not limited.
  for (int i = 0; i < 20; ++i) {
    EXPECT_THAT(Mint(*minter, IncomingRequest(), kFrontendCaller), IsOk()) << i;
  }
}

TEST(RetryDelay, OnlyARateLimitCarriesOne) {
  EXPECT_FALSE(RetryDelay(absl::OkStatus()).has_value());
  EXPECT_FALSE(RetryDelay(absl::ResourceExhaustedError("x")).has_value());
  EXPECT_FALSE(RetryDelay(absl::PermissionDeniedError(authz::kAccountDenied))
                   .has_value());
}

TEST_F(CallerPolicyTest, VerifyChecksTheCallerMayUseTheAccount) {
  // Tokens minted by a server without policies, for two accounts.
  std::unique_ptr<TokenMinter> open = NewMinter();
  const std::string own = MintFull(*open);
  v1::CapabilityRequest other_request = FullRequest();
  other_request.set_account_sid(kSharedKeySid);
  AuditRecord mint_audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse other,
      open->MintCapabilityToken(other_request, kAnonymous, &mint_audit));

  std::unique_ptr<TokenMinter> minter = PolicyMinter();
  v1::VerifyTokenRequest request;
  request.set_token(own);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse verdict,
                       minter->VerifyToken(request, kFrontendCaller, &audit));
  EXPECT_TRUE(verdict.valid());
  EXPECT_EQ(audit.caller, kFrontend);

  // kSharedKeySid is not kFrontend's, whether named by the token or the
  // request.
  request.set_token(other.token());
  EXPECT_THAT(minter->VerifyToken(request, kFrontendCaller, &audit),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(authz::kAccountDenied))));
  request.set_token(own);
  request.set_account_sid(kSharedKeySid);
  EXPECT_THAT(minter->VerifyToken(request, kFrontendCaller, &audit),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(authz::kAccountDenied))));

  // A caller no policy names may verify nothing.
  request.clear_account_sid();
  EXPECT_THAT(minter->VerifyToken(request, kStrangerCaller, &audit),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(authz::kAccountDenied))));
}

TEST_F(CallerPolicyTest, AuditRecordsTheCaller) {
  std::unique_ptr<TokenMinter> minter = PolicyMinter();
  AuditRecord allowed;
  ASSERT_THAT(
      minter->MintCapabilityToken(FullRequest(), kFrontendCaller, &allowed),
      IsOk());
  EXPECT_EQ(allowed.caller, kFrontend);
  AuditRecord denied;
  EXPECT_THAT(
      minter->MintCapabilityToken(FullRequest(), kStrangerCaller, &denied),
      Not(IsOk()));
  EXPECT_EQ(denied.caller, kStranger);
  EXPECT_EQ(denied.account_sid, kSid);
}

TEST_F(CallerPolicyTest, GetCallerPolicyUnderOpenAccess) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  ASSERT_OK_AND_ASSIGN(const v1::GetCallerPolicyResponse response,
                       minter->GetCallerPolicy(kFrontendCaller));
  EXPECT_EQ(response.identity(), kFrontend);
  EXPECT_EQ(response.identity_source(), "tls_spiffe_id");
  EXPECT_TRUE(response.open_access());
  EXPECT_FALSE(response.matched());
  EXPECT_FALSE(response.has_policy());
}

TEST_F(CallerPolicyTest, GetCallerPolicyReportsTheMatchingPolicy) {
  std::unique_ptr<TokenMinter> minter = PolicyMinter();
  v1::ServerConfig config;
  ASSERT_TRUE(
      google::protobuf::TextFormat::ParseFromString(kPolicies, &config));

  ASSERT_OK_AND_ASSIGN(v1::GetCallerPolicyResponse response,
                       minter->GetCallerPolicy(kFrontendCaller));
  EXPECT_EQ(response.identity(), kFrontend);
  EXPECT_EQ(response.identity_source(), "tls_spiffe_id");
  EXPECT_FALSE(response.open_access());
  EXPECT_TRUE(response.matched());
  EXPECT_EQ(response.policy().SerializeAsString(),
            config.callers(0).SerializeAsString());

  ASSERT_OK_AND_ASSIGN(response, minter->GetCallerPolicy(kNightlyCaller));
  EXPECT_EQ(response.identity(), kNightly);
  EXPECT_EQ(response.identity_source(), "forwarded_client_cert");
  EXPECT_TRUE(response.matched());
  EXPECT_EQ(response.policy().SerializeAsString(),
            config.callers(3).SerializeAsString());
}

TEST_F(CallerPolicyTest, GetCallerPolicyOfAnUnknownOrAnonymousCaller) {
  std::unique_ptr<TokenMinter> minter = PolicyMinter();
  ASSERT_OK_AND_ASSIGN(v1::GetCallerPolicyResponse response,
                       minter->GetCallerPolicy(kStrangerCaller));
  EXPECT_EQ(response.identity(), kStranger);
  EXPECT_FALSE(response.open_access());
  EXPECT_FALSE(response.matched());
  EXPECT_FALSE(response.has_policy());

  ASSERT_OK_AND_ASSIGN(response, minter->GetCallerPolicy(kAnonymous));
  EXPECT_EQ(response.identity(), "");
  EXPECT_EQ(response.identity_source(), "none");
  EXPECT_FALSE(response.open_access());
  EXPECT_FALSE(response.matched());
  EXPECT_FALSE(response.has_policy());
}

TEST_F(CallerPolicyTest, ARefusedIdentityIsUnauthenticatedWhateverThePolicy) {
  // An identity refused at the connection (several XFCC headers, a SPIFFE ID
  // among several URI SANs, a SPIFFE ID not in canonical form) is refused
  // by every method, before the request is even read, under open access as
  // under policies, with its fixed reason and counted as unauthenticated.
  v1::VerifyTokenRequest verify;
  verify.set_token(MintFull(*NewMinter()));
  v1::BatchMintRequest batch;
  *batch.add_requests()->mutable_capability() = FullRequest();
  v1::CapabilityRequest malformed = FullRequest();
  malformed.set_account_sid("not an account");

  for (absl::string_view rejection :
       {authz::kSeveralForwardedHeaders, authz::kSeveralUrisWithSpiffeId,
        authz::kNonCanonicalSpiffeId}) {
    const authz::CallerIdentity refused{"", "tls_spiffe_id", rejection};
    std::unique_ptr<TokenMinter> open = NewMinter(State(DefaultAccounts()));
    std::unique_ptr<TokenMinter> with_policies = PolicyMinter();
    for (const TokenMinter* minter : {open.get(), with_policies.get()}) {
      SCOPED_TRACE(absl::StrCat(
          rejection, minter == open.get() ? " (open access)" : " (policies)"));
      const auto is_refused = [&](const absl::Status& status) {
        EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnauthenticated,
                                     Eq(std::string(rejection))));
        EXPECT_EQ(authz::RefusalReasonOf(status),
                  authz::RefusalReason::kUnauthenticated);
      };
      AuditRecord audit;
      is_refused(
          minter->MintCapabilityToken(FullRequest(), refused, &audit).status());
      EXPECT_EQ(audit.caller, "");
      EXPECT_EQ(audit.token_fingerprint, "");
      // First: a malformed request is not even read.
      is_refused(
          minter->MintCapabilityToken(malformed, refused, &audit).status());
      is_refused(
          minter->MintTaskRouterToken(v1::TaskRouterRequest(), refused, &audit)
              .status());
      is_refused(
          minter->MintAccessToken(v1::AccessTokenRequest(), refused, &audit)
              .status());
      is_refused(minter->VerifyToken(verify, refused, &audit).status());
      is_refused(minter->VerifyToken(v1::VerifyTokenRequest(), refused, &audit)
                     .status());
      v1::BatchMintResponse response;
      BatchAudit batch_audit;
      is_refused(minter->BatchMint(batch, refused, &response, &batch_audit));
      EXPECT_EQ(response.results_size(), 0);
      is_refused(minter->BatchMint(v1::BatchMintRequest(), refused, &response,
                                   &batch_audit));
      is_refused(minter->GetCallerPolicy(refused).status());
    }
  }
}

// ---- Secondary auth token ------------------------------------------------

TEST_F(TokenMinterTest, SecondaryAuthTokenVerifiesButNeverSigns) {
  // Before the rotation: kSid signs with kSecret.
  const std::string before = MintFull(*NewMinter());

  // After: kNewSecret signs, kSecret still verifies.
  std::vector<config::AccountKeys::Account> rotated;
  rotated.push_back({kSid, TestKey(kNewSecret), false, TestKey(kSecret)});
  std::unique_ptr<TokenMinter> minter =
      NewMinter(token::Profile::kTwilioPython,
                config::AccountKeys::FromAccounts(std::move(rotated)));
  const std::string after = MintFull(*minter);
  EXPECT_THAT(LibraryVerify(after, kNewSecret), IsOk());
  EXPECT_THAT(LibraryVerify(after, kSecret), Not(IsOk()));

  for (const std::string& token : {before, after}) {
    AuditRecord audit;
    ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                         VerifyThrough(*minter, token, "", &audit));
    EXPECT_TRUE(response.valid()) << token;
    EXPECT_EQ(response.account_sid(), kSid);
    EXPECT_EQ(audit.verdict, "valid");
  }

  // A token signed with neither key is still refused.
  std::vector<config::AccountKeys::Account> elsewhere;
  elsewhere.push_back({kSid, TestKey(kVerifyOnlySecret), false});
  const std::string forged = MintFull(
      *NewMinter(token::Profile::kTwilioPython,
                 config::AccountKeys::FromAccounts(std::move(elsewhere))));
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       VerifyThrough(*minter, forged, "", &audit));
  EXPECT_FALSE(response.valid());
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_BAD_SIGNATURE);
}

// ---- SetState: accounts and policies together ------------------------------

// State A: kSid signs with kSecret and kFrontend may mint incoming scopes.
// State B: kSid signs with kNewSecret and kFrontend may mint event streams.
// A mix of the two would let an incoming token be signed with kNewSecret or
// an event-stream token with kSecret.
std::shared_ptr<const ServingState> StateA() {
  std::vector<config::AccountKeys::Account> accounts;
  accounts.push_back({kSid, TestKey(kSecret), false});
  return State(
      config::AccountKeys::FromAccounts(std::move(accounts)),
      TestPolicies(R"pb(callers {
                          identity: "spiffe://example.org/ns/web/sa/frontend"
                          accounts: "*"
                          scope_kinds: SCOPE_KIND_CLIENT_INCOMING
                        })pb"));
}

std::shared_ptr<const ServingState> StateB() {
  std::vector<config::AccountKeys::Account> accounts;
  accounts.push_back({kSid, TestKey(kNewSecret), false});
  return State(
      config::AccountKeys::FromAccounts(std::move(accounts)),
      TestPolicies(R"pb(callers {
                          identity: "spiffe://example.org/ns/web/sa/frontend"
                          accounts: "*"
                          scope_kinds: SCOPE_KIND_EVENT_STREAM
                        })pb"));
}

TEST_F(TokenMinterTest, SetStateSwitchesAccountsAndPoliciesTogether) {
  std::unique_ptr<TokenMinter> minter = NewMinter(StateA());
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse incoming,
      minter->MintCapabilityToken(IncomingRequest(), kFrontendCaller, &audit));
  EXPECT_THAT(LibraryVerify(incoming.token(), kSecret), IsOk());
  EXPECT_THAT(
      minter->MintCapabilityToken(EventsRequest(), kFrontendCaller, &audit),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("")));

  minter->SetState(StateB());
  EXPECT_THAT(
      minter->MintCapabilityToken(IncomingRequest(), kFrontendCaller, &audit),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("")));
  ASSERT_OK_AND_ASSIGN(
      v1::TokenResponse events,
      minter->MintCapabilityToken(EventsRequest(), kFrontendCaller, &audit));
  EXPECT_THAT(LibraryVerify(events.token(), kNewSecret), IsOk());

  // From policies to open access and back.
  minter->SetState(State(DefaultAccounts()));
  EXPECT_THAT(minter->MintCapabilityToken(FullRequest(), kAnonymous, &audit),
              IsOk());
  minter->SetState(StateA());
  EXPECT_THAT(minter->MintCapabilityToken(FullRequest(), kAnonymous, &audit),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("")));
}

TEST_F(TokenMinterTest, ConcurrentCallersNeverSeeAMixOfTwoStates) {
  std::unique_ptr<TokenMinter> minter = NewMinter(StateA());
  const token::HmacSha256Key key_a = TestKey(kSecret);
  const token::HmacSha256Key key_b = TestKey(kNewSecret);
  token::CapabilityVerifier::Options verifier_options;
  verifier_options.jwt.clock = &clock_;
  ASSERT_OK_AND_ASSIGN(const token::CapabilityVerifier verifier,
                       token::CapabilityVerifier::Create(verifier_options));

  std::atomic<bool> done{false};
  std::atomic<int> minted{0};
  std::atomic<int> mixed{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const bool incoming = (i + t) % 2 == 0;
        AuditRecord audit;
        absl::StatusOr<v1::TokenResponse> response =
            minter->MintCapabilityToken(
                incoming ? IncomingRequest() : EventsRequest(), kFrontendCaller,
                &audit);
        if (!response.ok()) continue;
        minted.fetch_add(1);
        // An incoming token comes from state A, so kSecret signed it.
        if (!verifier.Verify(response->token(), incoming ? key_a : key_b)
                 .ok()) {
          mixed.fetch_add(1);
        }
      }
    });
  }
  std::thread reloader([&] {
    bool a = false;
    while (!done.load()) {
      minter->SetState(a ? StateA() : StateB());
      a = !a;
    }
  });
  for (std::thread& caller : callers) caller.join();
  done.store(true);
  reloader.join();
  EXPECT_GT(minted.load(), 0);
  EXPECT_EQ(mixed.load(), 0);
}

}  // namespace
}  // namespace captoken::mint

namespace captoken::mint {
namespace {

// ---- Account sets over directory accounts ----------------------------------

constexpr char kTenantSid[] = "AC33333333333333333333333333333333";
constexpr char kGoldTenantSid[] = "AC44444444444444444444444444444444";

// kSid listed in the config; two accounts of the directory "tenants", one
// labelled "tier:gold".
std::shared_ptr<const config::AccountKeys> AccountsWithADirectory() {
  auto map = std::make_shared<config::AccountKeys::AccountMap>();
  auto name = std::make_shared<const std::string>("tenants");
  for (const char* sid : {kTenantSid, kGoldTenantSid}) {
    auto account = std::make_shared<config::AccountKeys::Account>(
        config::AccountKeys::Account{sid, TestKey(kSecret), false});
    account->directory = name;
    if (absl::string_view(sid) == kGoldTenantSid)
      account->labels = {"tier:gold"};
    map->Put(std::move(account));
  }
  config::AccountSettings listed;
  listed.account_sid = kSid;
  listed.auth_token.set_env("CAPTOKEN_MINTER_TEST_LISTED");
  ::setenv("CAPTOKEN_MINTER_TEST_LISTED", kSecret, 1);
  std::vector<config::AccountKeys::DirectoryAccounts> directories;
  directories.push_back({"account_directories[0] /t", std::move(map)});
  absl::StatusOr<std::shared_ptr<const config::AccountKeys>> keys =
      config::AccountKeys::Load({listed}, std::move(directories));
  EXPECT_TRUE(keys.ok()) << keys.status();
  return *keys;
}

TEST_F(TokenMinterTest, AccountSetsAuthorizeDirectoryAccountsByTheirTraits) {
  std::unique_ptr<TokenMinter> minter =
      NewMinter(State(AccountsWithADirectory(), TestPolicies(R"pb(
                        callers {
                          identity: "spiffe://example.org/all-tenants"
                          account_sets { directory: "tenants" }
                          scope_kinds: SCOPE_KIND_EVENT_STREAM
                        }
                        callers {
                          identity: "spiffe://example.org/gold"
                          account_sets { label: "tier:gold" }
                          scope_kinds: SCOPE_KIND_EVENT_STREAM
                        })pb")));
  const authz::CallerIdentity all{"spiffe://example.org/all-tenants", "test"};
  const authz::CallerIdentity gold{"spiffe://example.org/gold", "test"};
  auto mint = [&](const authz::CallerIdentity& caller, const char* sid) {
    v1::CapabilityRequest request;
    request.set_account_sid(sid);
    request.add_scopes()->mutable_event_stream();
    AuditRecord audit;
    return minter->MintCapabilityToken(request, caller, &audit).status();
  };
  EXPECT_THAT(mint(all, kTenantSid), IsOk());
  EXPECT_THAT(mint(all, kGoldTenantSid), IsOk());
  // The listed account is in no set; an unknown one neither.
  EXPECT_THAT(mint(all, kSid),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(authz::kAccountDenied))));
  EXPECT_THAT(mint(all, kUnknownSid),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(authz::kAccountDenied))));
  EXPECT_THAT(mint(gold, kGoldTenantSid), IsOk());
  EXPECT_THAT(mint(gold, kTenantSid),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(authz::kAccountDenied))));

  // VerifyToken checks the same sets.
  v1::CapabilityRequest request;
  request.set_account_sid(kTenantSid);
  request.add_scopes()->mutable_event_stream();
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse minted,
                       minter->MintCapabilityToken(request, all, &audit));
  v1::VerifyTokenRequest verify;
  verify.set_token(minted.token());
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse verdict,
                       minter->VerifyToken(verify, all, &audit));
  EXPECT_TRUE(verdict.valid());
  EXPECT_THAT(minter->VerifyToken(verify, gold, &audit),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(authz::kAccountDenied))));

  // GetCallerPolicy reports the sets as configured.
  ASSERT_OK_AND_ASSIGN(v1::GetCallerPolicyResponse policy,
                       minter->GetCallerPolicy(gold));
  ASSERT_EQ(policy.policy().account_sets_size(), 1);
  EXPECT_EQ(policy.policy().account_sets(0).label(), "tier:gold");
}

}  // namespace
}  // namespace captoken::mint
