// Tests for token_minter.h: the server's core mints tokens the verifier
// accepts, refuses each malformed request naming the field, refuses unknown
// and verify-only accounts identically, fills an audit record that never
// holds a client name, verifies tokens with the right verdict, and switches
// account sets atomically.

#include "service/token_minter.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/token_service.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/account_keys.h"
#include "service/token/capability_scope.h"
#include "service/token/capability_verifier.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "testing/status_matchers.h"

namespace captoken::service {
namespace {

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

token::HmacSha256Key Key(absl::string_view secret) {
  absl::StatusOr<token::HmacSha256Key> key =
      token::HmacSha256Key::Create(secret);
  EXPECT_TRUE(key.ok()) << key.status();
  return *std::move(key);
}

std::shared_ptr<const AccountKeys> DefaultAccounts() {
  std::vector<AccountKeys::Account> accounts;
  accounts.push_back({kSid, Key(kSecret), false});
  accounts.push_back({kSharedKeySid, Key(kSecret), false});
  accounts.push_back({kVerifyOnlySid, Key(kVerifyOnlySecret), true});
  return AccountKeys::FromAccounts(std::move(accounts));
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
  std::vector<std::string> strings = {audit.method, audit.account_sid,
                                      audit.profile, audit.token_fingerprint,
                                      audit.verdict};
  for (absl::string_view kind : audit.scope_kinds) {
    strings.emplace_back(kind);
  }
  return strings;
}

class TokenMinterTest : public ::testing::Test {
 protected:
  std::unique_ptr<TokenMinter> NewMinter(
      token::Profile default_profile = token::Profile::kTwilioPython,
      std::shared_ptr<const AccountKeys> accounts = DefaultAccounts()) {
    TokenMinter::Options options;
    options.default_profile = default_profile;
    options.clock = &clock_;
    return std::make_unique<TokenMinter>(options, std::move(accounts));
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
    return verifier->Verify(token, Key(secret));
  }

  // Mints FullRequest() (with `profile`) and returns the token.
  std::string MintFull(const TokenMinter& minter,
                       v1::Profile profile = v1::PROFILE_UNSPECIFIED) {
    v1::CapabilityRequest request = FullRequest();
    request.set_profile(profile);
    AuditRecord audit;
    absl::StatusOr<v1::TokenResponse> response =
        minter.MintCapabilityToken(request, &audit);
    EXPECT_THAT(response, IsOk());
    return response.ok() ? response->token() : "";
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
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                       minter->MintCapabilityToken(request, &audit));

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
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                       minter->MintCapabilityToken(request, &audit));

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
  for (token::Profile profile :
       {token::Profile::kTwilioPython, token::Profile::kTwilioNode}) {
    std::unique_ptr<TokenMinter> minter = NewMinter(profile);
    v1::CapabilityRequest request = FullRequest();
    request.set_profile(v1::PROFILE_UNSPECIFIED);
    AuditRecord audit;
    ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                         minter->MintCapabilityToken(request, &audit));
    const bool node = profile == token::Profile::kTwilioNode;
    EXPECT_EQ(response.profile(),
              node ? v1::PROFILE_TWILIO_NODE : v1::PROFILE_TWILIO_PYTHON);
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
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                       minter->MintCapabilityToken(request, &audit));
  EXPECT_EQ(response.profile(), v1::PROFILE_TWILIO_PYTHON);
  EXPECT_EQ(audit.profile, "twilio-python");
}

TEST_F(TokenMinterTest, NoLifetimeMeansOneHour) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::CapabilityRequest request = FullRequest();
  request.clear_ttl();
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                       minter->MintCapabilityToken(request, &audit));
  EXPECT_EQ(response.expire_time().seconds(), absl::ToUnixSeconds(kNow) + 3600);
  EXPECT_EQ(audit.ttl_seconds, 3600);
}

TEST_F(TokenMinterTest, ExpireTimeSetsTheExpiry) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::CapabilityRequest request = FullRequest();
  request.clear_ttl();
  request.mutable_expire_time()->set_seconds(absl::ToUnixSeconds(kNow) + 120);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                       minter->MintCapabilityToken(request, &audit));
  EXPECT_EQ(response.expire_time().seconds(), absl::ToUnixSeconds(kNow) + 120);
  EXPECT_EQ(audit.ttl_seconds, 120);
}

TEST_F(TokenMinterTest, TimesAreWholeSecondsOfTheClock) {
  clock_.Set(kNow + absl::Milliseconds(999));
  std::unique_ptr<TokenMinter> minter = NewMinter();
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                       minter->MintCapabilityToken(FullRequest(), &audit));
  EXPECT_EQ(response.issue_time().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(response.issue_time().nanos(), 0);
  EXPECT_EQ(response.expire_time().seconds(), absl::ToUnixSeconds(kNow) + 600);
}

TEST_F(TokenMinterTest, EmptyScopeListIsAllowed) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::CapabilityRequest request;
  request.set_account_sid(kSid);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                       minter->MintCapabilityToken(request, &audit));
  ASSERT_OK_AND_ASSIGN(token::VerifiedCapabilityToken verified,
                       LibraryVerify(response.token(), kSecret));
  EXPECT_TRUE(verified.claims().scopes.empty());
  EXPECT_TRUE(audit.scope_kinds.empty());
}

// ---- MintCapabilityToken: audit -------------------------------------------

TEST_F(TokenMinterTest, MintFillsTheAuditRecord) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                       minter->MintCapabilityToken(FullRequest(), &audit));
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
       {v1::PROFILE_TWILIO_PYTHON, v1::PROFILE_TWILIO_NODE}) {
    request.set_profile(profile);
    AuditRecord audit;
    ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                         minter->MintCapabilityToken(request, &audit));
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
  EXPECT_THAT(minter->MintCapabilityToken(request, &audit),
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
        minter->MintCapabilityToken(request, &audit);
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
  EXPECT_THAT(minter->MintCapabilityToken(request, &audit), IsOk());
  EXPECT_EQ(audit.scope_kinds.size(), 16u);
}

TEST_F(TokenMinterTest, TtlOfExactlyTheMaximumIsAllowed) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::CapabilityRequest request = FullRequest();
  request.mutable_ttl()->set_seconds(24 * 3600);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse response,
                       minter->MintCapabilityToken(request, &audit));
  EXPECT_EQ(response.expire_time().seconds(),
            absl::ToUnixSeconds(kNow) + 24 * 3600);
}

TEST_F(TokenMinterTest, SigningLimitsOfTheOptionsApply) {
  TokenMinter::Options options;
  options.clock = &clock_;
  options.signing_limits.max_ttl = absl::Seconds(300);
  options.signing_limits.max_scopes = 2;
  TokenMinter minter(options, DefaultAccounts());
  AuditRecord audit;
  v1::CapabilityRequest request = FullRequest();  // 3 scopes
  EXPECT_THAT(
      minter.MintCapabilityToken(request, &audit),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("scopes:")));
  request.mutable_scopes()->RemoveLast();
  EXPECT_THAT(minter.MintCapabilityToken(request, &audit),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ttl:")));
  request.mutable_ttl()->set_seconds(300);
  EXPECT_THAT(minter.MintCapabilityToken(request, &audit), IsOk());
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
      minter->MintCapabilityToken(unknown, &unknown_audit).status();
  AuditRecord verify_only_audit;
  const absl::Status verify_only_status =
      minter->MintCapabilityToken(verify_only, &verify_only_audit).status();

  EXPECT_THAT(unknown_status, StatusIs(absl::StatusCode::kPermissionDenied,
                                       Eq(std::string(kAccountDenied))));
  EXPECT_THAT(verify_only_status, StatusIs(absl::StatusCode::kPermissionDenied,
                                           Eq(std::string(kAccountDenied))));
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
       {v1::PROFILE_TWILIO_PYTHON, v1::PROFILE_TWILIO_NODE}) {
    const std::string token = MintFull(*minter, profile);
    v1::VerifyTokenRequest request;
    request.set_token(token);
    AuditRecord audit;
    ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                         minter->VerifyToken(request, &audit));
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
  v1::VerifyTokenRequest request;
  request.set_token(MintFull(*minter));
  request.set_account_sid(kSid);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       minter->VerifyToken(request, &audit));
  EXPECT_TRUE(response.valid());
  EXPECT_EQ(response.account_sid(), kSid);
  EXPECT_EQ(audit.account_sid, kSid);
}

TEST_F(TokenMinterTest, ExpiredTokenIsInvalidButKeepsItsClaims) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::VerifyTokenRequest request;
  request.set_token(MintFull(*minter));
  clock_.Advance(absl::Seconds(600));  // exp == now is expired
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       minter->VerifyToken(request, &audit));
  EXPECT_FALSE(response.valid());
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_EXPIRED);
  EXPECT_EQ(response.account_sid(), kSid);
  EXPECT_EQ(response.scopes_size(), 3);
  EXPECT_EQ(response.expire_time().seconds(), absl::ToUnixSeconds(kNow) + 600);
  EXPECT_EQ(audit.verdict, "expired");
}

TEST_F(TokenMinterTest, TokenIsValidUntilTheSecondBeforeExpiry) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::VerifyTokenRequest request;
  request.set_token(MintFull(*minter));
  clock_.Advance(absl::Seconds(599));
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       minter->VerifyToken(request, &audit));
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
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse other,
                       minter->MintCapabilityToken(other_request, &mint_audit));
  // mallory's claims under alice's signature.
  const std::string tampered = Splice(other.token(), original);
  ASSERT_NE(tampered, other.token());
  ASSERT_NE(tampered, original);

  v1::VerifyTokenRequest request;
  request.set_token(tampered);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       minter->VerifyToken(request, &audit));
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
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse minted,
                       minter->MintCapabilityToken(mint, &mint_audit));

  v1::VerifyTokenRequest request;
  request.set_token(minted.token());
  request.set_account_sid(kSid);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       minter->VerifyToken(request, &audit));
  EXPECT_FALSE(response.valid());
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_WRONG_ACCOUNT);
  EXPECT_EQ(audit.verdict, "wrong_account");
  EXPECT_EQ(audit.account_sid, kSid);
}

TEST_F(TokenMinterTest, TokenOfAnAccountWithAnotherKeyHasABadSignature) {
  // Checked against the requested account's key, another account's token
  // fails at the MAC, before its iss is read.
  std::vector<AccountKeys::Account> accounts;
  accounts.push_back({kSid, Key(kSecret), false});
  accounts.push_back({kVerifyOnlySid, Key(kVerifyOnlySecret), false});
  std::unique_ptr<TokenMinter> minter =
      NewMinter(token::Profile::kTwilioPython,
                AccountKeys::FromAccounts(std::move(accounts)));
  v1::CapabilityRequest mint = FullRequest();
  mint.set_account_sid(kVerifyOnlySid);
  AuditRecord mint_audit;
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse minted,
                       minter->MintCapabilityToken(mint, &mint_audit));

  v1::VerifyTokenRequest request;
  request.set_token(minted.token());
  request.set_account_sid(kSid);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       minter->VerifyToken(request, &audit));
  EXPECT_FALSE(response.valid());
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_BAD_SIGNATURE);
  EXPECT_EQ(response.account_sid(), "");
}

TEST_F(TokenMinterTest, VerifyOnlyAccountsTokensStillVerify) {
  std::vector<AccountKeys::Account> accounts;
  accounts.push_back({kVerifyOnlySid, Key(kVerifyOnlySecret), false});
  std::unique_ptr<TokenMinter> minter =
      NewMinter(token::Profile::kTwilioPython,
                AccountKeys::FromAccounts(std::move(accounts)));
  v1::CapabilityRequest mint = FullRequest();
  mint.set_account_sid(kVerifyOnlySid);
  AuditRecord mint_audit;
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse minted,
                       minter->MintCapabilityToken(mint, &mint_audit));

  // The account is retired to verify-only.
  minter->SetAccounts(DefaultAccounts());
  AuditRecord denied_audit;
  EXPECT_THAT(minter->MintCapabilityToken(mint, &denied_audit),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(kAccountDenied))));
  v1::VerifyTokenRequest request;
  request.set_token(minted.token());
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       minter->VerifyToken(request, &audit));
  EXPECT_TRUE(response.valid());
  EXPECT_EQ(response.account_sid(), kVerifyOnlySid);
}

TEST_F(TokenMinterTest, TokenOfAnUnknownAccountIsDenied) {
  // Minted by another server that knows the account.
  std::vector<AccountKeys::Account> elsewhere;
  elsewhere.push_back({kUnknownSid, Key(kSecret), false});
  std::unique_ptr<TokenMinter> other =
      NewMinter(token::Profile::kTwilioPython,
                AccountKeys::FromAccounts(std::move(elsewhere)));
  v1::CapabilityRequest mint = FullRequest();
  mint.set_account_sid(kUnknownSid);
  AuditRecord mint_audit;
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse minted,
                       other->MintCapabilityToken(mint, &mint_audit));

  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::VerifyTokenRequest by_issuer;
  by_issuer.set_token(minted.token());
  AuditRecord audit;
  EXPECT_THAT(minter->VerifyToken(by_issuer, &audit),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(kAccountDenied))));
  EXPECT_EQ(audit.account_sid, kUnknownSid);

  v1::VerifyTokenRequest by_request;
  by_request.set_token(MintFull(*minter));
  by_request.set_account_sid(kUnknownSid);
  AuditRecord request_audit;
  EXPECT_THAT(minter->VerifyToken(by_request, &request_audit),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(kAccountDenied))));
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
    v1::VerifyTokenRequest request;
    request.set_token(token);
    AuditRecord audit;
    ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                         minter->VerifyToken(request, &audit));
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
    v1::VerifyTokenRequest request;
    request.set_token(token);
    AuditRecord audit;
    ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                         minter->VerifyToken(request, &audit));
    EXPECT_FALSE(response.valid()) << token;
    EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_MALFORMED) << token;
    EXPECT_EQ(audit.verdict, "malformed") << token;
  }
}

TEST_F(TokenMinterTest, GarbageForARequestedAccountIsMalformed) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::VerifyTokenRequest request;
  request.set_token("garbage");
  request.set_account_sid(kSid);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       minter->VerifyToken(request, &audit));
  EXPECT_FALSE(response.valid());
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_MALFORMED);
}

TEST_F(TokenMinterTest, OversizeTokenIsTooLarge) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  const std::string token(16 * 1024 + 1, 'a');
  for (const char* account_sid : {"", kSid}) {
    v1::VerifyTokenRequest request;
    request.set_token(token);
    request.set_account_sid(account_sid);
    AuditRecord audit;
    ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                         minter->VerifyToken(request, &audit));
    EXPECT_FALSE(response.valid()) << account_sid;
    EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_TOO_LARGE)
        << account_sid;
    EXPECT_EQ(audit.verdict, "too_large") << account_sid;
  }
}

TEST_F(TokenMinterTest, TokenAtTheSizeLimitIsExamined) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::VerifyTokenRequest request;
  request.set_token(std::string(16 * 1024, 'a'));
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       minter->VerifyToken(request, &audit));
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_MALFORMED);
}

TEST_F(TokenMinterTest, MaxVerifyTokenBytesOfTheOptionsApplies) {
  TokenMinter::Options options;
  options.clock = &clock_;
  options.max_verify_token_bytes = 64;
  TokenMinter minter(options, DefaultAccounts());
  v1::VerifyTokenRequest request;
  request.set_token(MintFull(minter));
  ASSERT_GT(request.token().size(), 64u);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse response,
                       minter.VerifyToken(request, &audit));
  EXPECT_EQ(response.failure(), v1::VERIFICATION_FAILURE_TOO_LARGE);
}

TEST_F(TokenMinterTest, EmptyTokenIsAnInvalidRequest) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  v1::VerifyTokenRequest request;
  request.set_account_sid(kSid);
  AuditRecord audit;
  EXPECT_THAT(minter->VerifyToken(request, &audit),
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
        minter->VerifyToken(request, &audit),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("account_sid:")))
        << account_sid;
  }
}

// ---- SetAccounts ---------------------------------------------------------

TEST_F(TokenMinterTest, SetAccountsSwitchesKeys) {
  std::unique_ptr<TokenMinter> minter = NewMinter();
  const std::string old_token = MintFull(*minter);

  // kSid's auth token is rotated; kSharedKeySid and kVerifyOnlySid are
  // removed.
  std::vector<AccountKeys::Account> rotated;
  rotated.push_back({kSid, Key(kNewSecret), false});
  minter->SetAccounts(AccountKeys::FromAccounts(std::move(rotated)));

  v1::VerifyTokenRequest verify_old;
  verify_old.set_token(old_token);
  AuditRecord audit;
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse old_response,
                       minter->VerifyToken(verify_old, &audit));
  EXPECT_FALSE(old_response.valid());
  EXPECT_EQ(old_response.failure(), v1::VERIFICATION_FAILURE_BAD_SIGNATURE);

  const std::string new_token = MintFull(*minter);
  EXPECT_THAT(LibraryVerify(new_token, kNewSecret), IsOk());
  EXPECT_THAT(LibraryVerify(new_token, kSecret), Not(IsOk()));
  v1::VerifyTokenRequest verify_new;
  verify_new.set_token(new_token);
  ASSERT_OK_AND_ASSIGN(v1::VerifyTokenResponse new_response,
                       minter->VerifyToken(verify_new, &audit));
  EXPECT_TRUE(new_response.valid());

  v1::CapabilityRequest removed = FullRequest();
  removed.set_account_sid(kSharedKeySid);
  AuditRecord removed_audit;
  EXPECT_THAT(minter->MintCapabilityToken(removed, &removed_audit),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(kAccountDenied))));
}

TEST_F(TokenMinterTest, TwoMintersOnOneThreadKeepTheirOwnAccounts) {
  // Both minters read their account sets through Snapshot<AccountKeys> on
  // this thread; neither may see the other's.
  std::unique_ptr<TokenMinter> first = NewMinter();
  std::vector<AccountKeys::Account> accounts;
  accounts.push_back({kUnknownSid, Key(kNewSecret), false});
  std::unique_ptr<TokenMinter> second =
      NewMinter(token::Profile::kTwilioPython,
                AccountKeys::FromAccounts(std::move(accounts)));
  for (int i = 0; i < 3; ++i) {
    AuditRecord audit;
    v1::CapabilityRequest for_first = FullRequest();
    v1::CapabilityRequest for_second = FullRequest();
    for_second.set_account_sid(kUnknownSid);
    EXPECT_THAT(first->MintCapabilityToken(for_first, &audit), IsOk());
    EXPECT_THAT(second->MintCapabilityToken(for_first, &audit),
                StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("")));
    EXPECT_THAT(second->MintCapabilityToken(for_second, &audit), IsOk());
    EXPECT_THAT(first->MintCapabilityToken(for_second, &audit),
                StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("")));
  }
}

}  // namespace
}  // namespace captoken::service
