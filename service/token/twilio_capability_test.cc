// Tests for twilio_capability.h: the twilio-python-shaped C++ API.

#include "service/token/twilio_capability.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/capability_scope.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/internal/base64url.h"
#include "service/token/json_value.h"
#include "service/token/jwt.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kAccountSid = "AC0123456789abcdef0123456789abcdef";
constexpr absl::string_view kAuthToken = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
constexpr absl::string_view kAppSid = "AP89abcdef0123456789abcdef01234567";
constexpr int64_t kNow = 1700000000;

// Spec §2.7, vector cc09 (twilio-node), signed at 1700000000.
constexpr absl::string_view kCc09Token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzY29wZSI6InNjb3BlOmNsaWVudDpvdXRnb2luZz9hcHBTaWQ9QVA4OWFiY2RlZjAxMjM0"
    "NTY3ODlhYmNkZWYwMTIzNDU2NyZjbGllbnROYW1lPWJvYiZhcHBQYXJhbXM9VG8lM0QlMjUy"
    "QjE1NTUxMjM0NTY3JTI2Q2FsbGVySWQlM0RjbGllbnQlMjUzQWJvYiIsImlzcyI6IkFDMDEy"
    "MzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYiLCJleHAiOjE3MDAwMDM2MDAsImlhdCI6"
    "MTcwMDAwMDAwMH0.iQBvegNFrIaEBG4jJ-_-If0UY52Qaj7V-LZF4T68xcE";

// Vector py5_cc01: TwilioCapability(sid, token).allow_client_incoming("alice")
// then generate(), with twilio-python 5.7 at 1700000000.123.
constexpr absl::string_view kPy5Cc01Token =
    "eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJIUzI1NiJ9."
    "eyJzY29wZSI6ICJzY29wZTpjbGllbnQ6aW5jb21pbmc_Y2xpZW50TmFtZT1hbGljZSIsICJp"
    "c3MiOiAiQUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZiIsICJleHAiOiAxNzAw"
    "MDAzNjAwfQ.oV8MexPs2FeUS6x0L_tJ-uzP_pHkZS7n07tj85PETUk";

// Vector py5_cc16: the same with generate(expires=600).
constexpr absl::string_view kPy5Cc16Token =
    "eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJIUzI1NiJ9."
    "eyJzY29wZSI6ICJzY29wZTpjbGllbnQ6aW5jb21pbmc_Y2xpZW50TmFtZT1hbGljZSIsICJp"
    "c3MiOiAiQUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZiIsICJleHAiOiAxNzAw"
    "MDAwNjAwfQ.ZfsJGpZZ_uU7YdUgJRc219VmuJgs_byJD4CsjBuPO5I";

// The payload of a token, parsed.
absl::StatusOr<JsonValue> PayloadOf(absl::string_view token) {
  absl::StatusOr<JwtSegments> segments = SplitCompactJwt(token, 1 << 20);
  if (!segments.ok()) return segments.status();
  absl::StatusOr<std::string> payload =
      internal::StrictBase64UrlDecode(segments->payload);
  if (!payload.ok()) return payload.status();
  return ParseJson(*payload);
}

// The exp claim of a token, or nullopt.
std::optional<int64_t> ExpOf(absl::string_view token) {
  absl::StatusOr<JsonValue> payload = PayloadOf(token);
  if (!payload.ok() || payload->Find("exp") == nullptr) return std::nullopt;
  return payload->Find("exp")->AsInt64();
}

// The scope claim of a token, or "".
std::string ScopeOf(absl::string_view token) {
  absl::StatusOr<JsonValue> payload = PayloadOf(token);
  if (!payload.ok() || payload->Find("scope") == nullptr) return "";
  return payload->Find("scope")->text();
}

class TwilioCapabilityTest : public ::testing::Test {
 protected:
  absl::StatusOr<TwilioCapability> Create(
      Profile profile = Profile::kTwilioPython) {
    return TwilioCapability::Create(kAccountSid, kAuthToken,
                                    {.profile = profile, .clock = &clock_});
  }

  // Checks that a failed Generate names neither the auth token nor `value`.
  void ExpectMessageOmits(const absl::StatusOr<std::string>& token,
                          absl::string_view value) {
    ASSERT_FALSE(token.ok());
    const std::string message(token.status().message());
    EXPECT_THAT(message, Not(HasSubstr(std::string(kAuthToken))));
    EXPECT_THAT(message, Not(HasSubstr(std::string(value))));
  }

  FixedClock clock_{absl::FromUnixSeconds(kNow)};
};

// ---- Create ---------------------------------------------------------------

TEST_F(TwilioCapabilityTest, CreateAcceptsAnAccountSidAndAuthToken) {
  EXPECT_THAT(Create(), IsOk());
}

TEST(TwilioCapabilityCreate, AccountSidIsRequired) {
  EXPECT_THAT(
      TwilioCapability::Create("", kAuthToken),
      StatusIs(absl::StatusCode::kInvalidArgument, "account_sid: required"));
}

TEST(TwilioCapabilityCreate, AccountSidMustBeAnAccountSid) {
  for (absl::string_view sid :
       {"APdeadbeefdeadbeefdeadbeefdeadbeef", "ACdeadbeef",
        "acdeadbeefdeadbeefdeadbeefdeadbeef",
        "ACdeadbeefdeadbeefdeadbeefdeadbeefff"}) {
    absl::StatusOr<TwilioCapability> capability =
        TwilioCapability::Create(sid, kAuthToken);
    EXPECT_THAT(capability,
                StatusIs(absl::StatusCode::kInvalidArgument,
                         "account_sid: must be \"AC\" followed by 32 hex "
                         "digits"))
        << sid;
    EXPECT_THAT(std::string(capability.status().message()),
                Not(HasSubstr("deadbeef")));
  }
}

TEST(TwilioCapabilityCreate, AuthTokenIsRequired) {
  EXPECT_THAT(
      TwilioCapability::Create(kAccountSid, ""),
      StatusIs(absl::StatusCode::kInvalidArgument, "auth_token: required"));
}

TEST(TwilioCapabilityCreate, ClockIsRequired) {
  EXPECT_THAT(
      TwilioCapability::Create(kAccountSid, kAuthToken, {.clock = nullptr}),
      StatusIs(absl::StatusCode::kInvalidArgument, "clock: required"));
}

TEST(TwilioCapabilityCreate, MessagesNeverContainTheAuthToken) {
  for (absl::string_view sid : {"", "ACbad"}) {
    absl::StatusOr<TwilioCapability> capability =
        TwilioCapability::Create(sid, kAuthToken);
    ASSERT_FALSE(capability.ok());
    EXPECT_THAT(std::string(capability.status().message()),
                Not(HasSubstr(std::string(kAuthToken))));
  }
}

TEST(TwilioCapabilityOptions, DefaultsAreThePythonProfileAndTheRealClock) {
  const TwilioCapability::Options options;
  EXPECT_EQ(options.profile, Profile::kTwilioPython);
  EXPECT_EQ(options.clock, &Clock::Real());
  EXPECT_EQ(options.limits.default_ttl, absl::Hours(1));
  EXPECT_EQ(options.limits.max_ttl, absl::Hours(24));
}

// ---- known answers --------------------------------------------------------

TEST_F(TwilioCapabilityTest, NodeProfileReproducesTheSpecWorkedExample) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability,
                       Create(Profile::kTwilioNode));
  capability.AllowClientOutgoing(
      ClientOutgoingScope{std::string(kAppSid),
                          {{"To", "+15551234567"}, {"CallerId", "client:bob"}},
                          "bob"});
  ASSERT_OK_AND_ASSIGN(std::string token, capability.Generate());
  EXPECT_EQ(token, kCc09Token);
}

TEST_F(TwilioCapabilityTest, DefaultProfileIsTwilioPython) {
  clock_.Set(absl::FromUnixMillis(kNow * 1000 + 123));
  ASSERT_OK_AND_ASSIGN(
      TwilioCapability capability,
      TwilioCapability::Create(kAccountSid, kAuthToken, {.clock = &clock_}));
  capability.AllowClientIncoming("alice");
  ASSERT_OK_AND_ASSIGN(std::string token, capability.Generate());
  EXPECT_EQ(token, kPy5Cc01Token);
}

TEST_F(TwilioCapabilityTest, GenerateWithTtlReproducesTwilioPython) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  capability.AllowClientIncoming("alice");
  ASSERT_OK_AND_ASSIGN(std::string token,
                       capability.Generate(absl::Seconds(600)));
  EXPECT_EQ(token, kPy5Cc16Token);
}

// ---- Generate, Generate(ttl), GenerateUntil -------------------------------

TEST_F(TwilioCapabilityTest, GenerateLivesForTheDefaultTtl) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  ASSERT_OK_AND_ASSIGN(std::string token, capability.Generate());
  EXPECT_EQ(ExpOf(token), kNow + 3600);
}

TEST_F(TwilioCapabilityTest, GenerateWithTtlLivesForTheTtl) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability,
                       Create(Profile::kTwilioNode));
  ASSERT_OK_AND_ASSIGN(std::string token, capability.Generate(absl::Hours(24)));
  EXPECT_EQ(ExpOf(token), kNow + 86400);
  ASSERT_OK_AND_ASSIGN(std::string short_token,
                       capability.Generate(absl::Seconds(1)));
  EXPECT_EQ(ExpOf(short_token), kNow + 1);
}

TEST_F(TwilioCapabilityTest, GenerateUntilExpiresAtTheGivenSecond) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  ASSERT_OK_AND_ASSIGN(std::string token,
                       capability.GenerateUntil(
                           absl::FromUnixMillis((kNow + 900) * 1000 + 999)));
  EXPECT_EQ(ExpOf(token), kNow + 900);
}

TEST_F(TwilioCapabilityTest, GenerateLeavesTheCapabilityUnchanged) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  capability.AllowClientIncoming("alice");
  ASSERT_OK_AND_ASSIGN(std::string first, capability.Generate());
  ASSERT_OK_AND_ASSIGN(std::string with_ttl,
                       capability.Generate(absl::Seconds(60)));
  ASSERT_OK_AND_ASSIGN(std::string until, capability.GenerateUntil(
                                              absl::FromUnixSeconds(kNow + 5)));
  ASSERT_OK_AND_ASSIGN(std::string again, capability.Generate());
  EXPECT_EQ(first, again);
  EXPECT_NE(first, with_ttl);
  EXPECT_EQ(ExpOf(again), kNow + 3600);
}

TEST_F(TwilioCapabilityTest, EachGenerateReadsTheClock) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  ASSERT_OK_AND_ASSIGN(std::string before, capability.Generate());
  clock_.Advance(absl::Seconds(90));
  ASSERT_OK_AND_ASSIGN(std::string after, capability.Generate());
  EXPECT_EQ(ExpOf(before), kNow + 3600);
  EXPECT_EQ(ExpOf(after), kNow + 90 + 3600);
}

TEST_F(TwilioCapabilityTest, ZeroTtlIsRefused) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  EXPECT_THAT(
      capability.Generate(absl::ZeroDuration()),
      StatusIs(absl::StatusCode::kInvalidArgument, "ttl: must be positive"));
  EXPECT_THAT(
      capability.Generate(absl::Seconds(-600)),
      StatusIs(absl::StatusCode::kInvalidArgument, "ttl: must be positive"));
}

TEST_F(TwilioCapabilityTest, FractionalTtlIsRefused) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  EXPECT_THAT(capability.Generate(absl::Milliseconds(1500)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ttl: must be a whole number of seconds"));
}

TEST_F(TwilioCapabilityTest, TtlOverTheMaximumIsRefused) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  EXPECT_THAT(capability.Generate(absl::Hours(24) + absl::Seconds(1)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ttl: longer than the maximum lifetime of 86400 s"));
}

TEST_F(TwilioCapabilityTest, ExpireTimeNotInTheFutureIsRefused) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  for (absl::Time expire_time :
       {absl::FromUnixSeconds(kNow), absl::FromUnixSeconds(kNow - 1),
        absl::UnixEpoch()}) {
    EXPECT_THAT(capability.GenerateUntil(expire_time),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         "expire_time: must be after the signing time"));
  }
}

TEST_F(TwilioCapabilityTest, ExpireTimeTooFarAheadIsRefused) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  EXPECT_THAT(capability.GenerateUntil(absl::FromUnixSeconds(kNow + 86401)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expire_time: longer than")));
  EXPECT_THAT(capability.GenerateUntil(absl::FromUnixSeconds(kNow + 86400)),
              IsOk());
}

TEST_F(TwilioCapabilityTest, LimitsComeFromTheOptions) {
  ASSERT_OK_AND_ASSIGN(
      TwilioCapability capability,
      TwilioCapability::Create(kAccountSid, kAuthToken,
                               {.clock = &clock_,
                                .limits = {.default_ttl = absl::Seconds(120),
                                           .max_ttl = absl::Seconds(600)}}));
  ASSERT_OK_AND_ASSIGN(std::string token, capability.Generate());
  EXPECT_EQ(ExpOf(token), kNow + 120);
  EXPECT_THAT(capability.Generate(absl::Seconds(600)), IsOk());
  EXPECT_THAT(capability.Generate(absl::Seconds(601)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ttl: longer than the maximum lifetime of 600 s"));
}

// ---- scopes ---------------------------------------------------------------

TEST_F(TwilioCapabilityTest, AllowCallsChain) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  TwilioCapability& same = capability.AllowClientIncoming("alice")
                               .AllowClientOutgoing(kAppSid)
                               .AllowEventStream();
  EXPECT_EQ(&same, &capability);
  ASSERT_OK_AND_ASSIGN(std::string token, capability.Generate());
  EXPECT_EQ(ScopeOf(token),
            "scope:client:incoming?clientName=alice "
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567"
            "&clientName=alice "
            "scope:stream:subscribe?path=%2F2010-04-01%2FEvents");
}

TEST_F(TwilioCapabilityTest,
       PythonProfileCopiesTheIncomingNameWhateverTheOrder) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  capability.AllowClientOutgoing(kAppSid, {{"To", "+1555"}});
  capability.AllowClientIncoming("alice");
  ASSERT_OK_AND_ASSIGN(std::string token, capability.Generate());
  EXPECT_EQ(ScopeOf(token),
            "scope:client:outgoing?appParams=To%3D%252B1555"
            "&appSid=AP89abcdef0123456789abcdef01234567&clientName=alice "
            "scope:client:incoming?clientName=alice");
}

TEST_F(TwilioCapabilityTest, PythonProfileKeepsOneScopePerKind) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  capability.AllowClientIncoming("alice")
      .AllowEventStream({{"a", "1"}})
      .AllowClientIncoming("bob")
      .AllowEventStream();
  ASSERT_OK_AND_ASSIGN(std::string token, capability.Generate());
  EXPECT_EQ(ScopeOf(token),
            "scope:client:incoming?clientName=bob "
            "scope:stream:subscribe?path=%2F2010-04-01%2FEvents");
}

TEST_F(TwilioCapabilityTest, PythonProfileRefusesTwoDifferentClientNames) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  capability.AllowClientIncoming("alicesecret");
  capability.AllowClientOutgoing(
      ClientOutgoingScope{std::string(kAppSid), {}, "carolsecret"});
  absl::StatusOr<std::string> token = capability.Generate();
  EXPECT_THAT(token, StatusIs(absl::StatusCode::kInvalidArgument,
                              HasSubstr("scopes[1].client_outgoing.client_name"
                                        ": differs from the incoming")));
  ExpectMessageOmits(token, "secret");
}

TEST_F(TwilioCapabilityTest, NodeProfileKeepsEveryScopeInOrder) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability,
                       Create(Profile::kTwilioNode));
  capability.AllowClientIncoming("alice")
      .AllowClientOutgoing(kAppSid)
      .AllowClientIncoming("alice");
  ASSERT_OK_AND_ASSIGN(std::string token, capability.Generate());
  EXPECT_EQ(ScopeOf(token),
            "scope:client:incoming?clientName=alice "
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567 "
            "scope:client:incoming?clientName=alice");
}

TEST_F(TwilioCapabilityTest, NoScopesGiveAnEmptyScopeClaim) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  ASSERT_OK_AND_ASSIGN(std::string token, capability.Generate());
  EXPECT_EQ(ScopeOf(token), "");
}

// ---- invalid scopes are reported by Generate ------------------------------

TEST_F(TwilioCapabilityTest, EmptyClientNameIsRefused) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  capability.AllowClientIncoming("");
  EXPECT_THAT(capability.Generate(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "scopes[0].client_incoming.client_name: required"));
}

TEST_F(TwilioCapabilityTest, InvalidClientNameIsRefusedWithoutQuotingIt) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  capability.AllowClientIncoming("secretname\n");
  absl::StatusOr<std::string> token = capability.Generate();
  EXPECT_THAT(token, StatusIs(absl::StatusCode::kInvalidArgument,
                              "scopes[0].client_incoming.client_name: "
                              "contains a control character"));
  ExpectMessageOmits(token, "secretname");
}

TEST_F(TwilioCapabilityTest, InvalidApplicationSidIsRefused) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  capability.AllowClientIncoming("alice").AllowClientOutgoing("APsecret");
  absl::StatusOr<std::string> token = capability.Generate(absl::Seconds(60));
  EXPECT_THAT(token, StatusIs(absl::StatusCode::kInvalidArgument,
                              "scopes[1].client_outgoing.application_sid: "
                              "must be \"AP\" followed by 32 hex digits"));
  ExpectMessageOmits(token, "APsecret");
}

TEST_F(TwilioCapabilityTest, InvalidParamsAreRefused) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability, Create());
  capability.AllowEventStream({{"k", "secretvalue\xFF"}});
  absl::StatusOr<std::string> token =
      capability.GenerateUntil(absl::FromUnixSeconds(kNow + 60));
  EXPECT_THAT(token, StatusIs(absl::StatusCode::kInvalidArgument,
                              "scopes[0].event_stream.filters[0].value: not "
                              "valid UTF-8"));
  ExpectMessageOmits(token, "secretvalue");
}

TEST_F(TwilioCapabilityTest, TooLongATokenIsRefused) {
  ASSERT_OK_AND_ASSIGN(
      TwilioCapability capability,
      TwilioCapability::Create(
          kAccountSid, kAuthToken,
          {.clock = &clock_, .limits = {.max_token_bytes = 200}}));
  capability.AllowClientOutgoing(kAppSid, {{"k", std::string(200, 'v')}});
  EXPECT_THAT(capability.Generate(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "scopes: the token would be longer than 200 bytes"));
}

// ---- the key --------------------------------------------------------------

TEST_F(TwilioCapabilityTest, TheAuthTokenBytesAreTheKey) {
  // A non-ASCII auth token (like vector cc25) is used as its UTF-8 bytes.
  const std::string auth_token = "t\xC3\xB6k\xC3\xA9n-secret";
  ASSERT_OK_AND_ASSIGN(
      TwilioCapability capability,
      TwilioCapability::Create(
          kAccountSid, auth_token,
          {.profile = Profile::kTwilioNode, .clock = &clock_}));
  ASSERT_OK_AND_ASSIGN(std::string token,
                       capability.AllowClientIncoming("alice").Generate());
  ASSERT_OK_AND_ASSIGN(HmacSha256Key key, HmacSha256Key::Create(auth_token));
  ASSERT_OK_AND_ASSIGN(HmacSha256Key other, HmacSha256Key::Create(kAuthToken));
  ASSERT_OK_AND_ASSIGN(JwtSegments segments, SplitCompactJwt(token, 1 << 20));
  EXPECT_THAT(VerifyHs256Mac(segments, key), IsOk());
  EXPECT_FALSE(VerifyHs256Mac(segments, other).ok());
}

TEST_F(TwilioCapabilityTest, CapabilityCanBeMoved) {
  ASSERT_OK_AND_ASSIGN(TwilioCapability capability,
                       Create(Profile::kTwilioNode));
  capability.AllowClientOutgoing(
      ClientOutgoingScope{std::string(kAppSid),
                          {{"To", "+15551234567"}, {"CallerId", "client:bob"}},
                          "bob"});
  TwilioCapability moved = std::move(capability);
  ASSERT_OK_AND_ASSIGN(std::string token, moved.Generate());
  EXPECT_EQ(token, kCc09Token);
}

}  // namespace
}  // namespace captoken::token
