// Tests for capability_spec.h: every validation rule, the field path each
// failure names, and how the expiry is resolved.

#include "service/token/capability_spec.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/capability_scope.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kAccountSid = "AC0123456789abcdef0123456789abcdef";
constexpr absl::string_view kAppSid = "AP89abcdef0123456789abcdef01234567";
constexpr int64_t kNow = 1700000000;

CapabilitySpec ValidSpec() {
  CapabilitySpec spec;
  spec.account_sid = std::string(kAccountSid);
  spec.scopes.push_back(ClientIncomingScope{"alice"});
  spec.scopes.push_back(ClientOutgoingScope{
      std::string(kAppSid), {{"To", "+15551234567"}, {"empty", ""}}, "alice"});
  spec.scopes.push_back(EventStreamScope{{{"foobar", "hey"}}});
  return spec;
}

absl::Status Validate(const CapabilitySpec& spec,
                      const SigningLimits& limits = SigningLimits()) {
  return ValidateCapabilitySpec(spec, limits);
}

// Checks that `status` is INVALID_ARGUMENT with exactly `message`, and that
// the message does not contain `value` (the offending input).
void ExpectRefused(const absl::Status& status, absl::string_view message,
                   absl::string_view value) {
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               std::string(message)));
  if (!value.empty()) {
    EXPECT_THAT(std::string(status.message()),
                Not(HasSubstr(std::string(value))));
  }
}

// ---- SigningLimits --------------------------------------------------------

TEST(SigningLimits, DefaultsAreTheServersDefaults) {
  const SigningLimits limits;
  EXPECT_EQ(limits.max_scopes, 16u);
  EXPECT_EQ(limits.max_params_per_scope, 32u);
  EXPECT_EQ(limits.max_text_bytes, 512u);
  EXPECT_EQ(limits.max_token_bytes, 8192u);
  EXPECT_EQ(limits.default_ttl, absl::Hours(1));
  EXPECT_EQ(limits.max_ttl, absl::Hours(24));
}

TEST(CapabilitySpec, DefaultProfileIsTwilioPython) {
  EXPECT_EQ(CapabilitySpec().profile, Profile::kTwilioPython);
}

// ---- ValidateCapabilitySpec: what passes ----------------------------------

TEST(ValidateCapabilitySpec, AcceptsAValidSpecOfEveryScopeKind) {
  EXPECT_THAT(Validate(ValidSpec()), IsOk());
}

TEST(ValidateCapabilitySpec, AcceptsNoScopes) {
  CapabilitySpec spec;
  spec.account_sid = std::string(kAccountSid);
  EXPECT_THAT(Validate(spec), IsOk());
}

TEST(ValidateCapabilitySpec, AcceptsNonAsciiText) {
  CapabilitySpec spec = ValidSpec();
  spec.scopes[0] = ClientIncomingScope{"Jos\xC3\xA9 \xF0\x9F\x98\x80"};
  spec.scopes[2] = EventStreamScope{{{"k\xC3\xA9y", "v\xE2\x82\xAC"}}};
  EXPECT_THAT(Validate(spec), IsOk());
}

TEST(ValidateCapabilitySpec, AcceptsRepeatedScopesOfAKind) {
  CapabilitySpec spec = ValidSpec();
  spec.scopes.push_back(ClientIncomingScope{"bob"});
  spec.scopes.push_back(EventStreamScope{});
  EXPECT_THAT(Validate(spec), IsOk());
}

TEST(ValidateCapabilitySpec, AcceptsEitherTtlOrExpireTime) {
  CapabilitySpec with_ttl = ValidSpec();
  with_ttl.ttl = absl::Seconds(600);
  EXPECT_THAT(Validate(with_ttl), IsOk());
  CapabilitySpec with_expire_time = ValidSpec();
  with_expire_time.expire_time = absl::FromUnixSeconds(kNow + 600);
  EXPECT_THAT(Validate(with_expire_time), IsOk());
}

// ---- ValidateCapabilitySpec: account_sid ----------------------------------

TEST(ValidateCapabilitySpec, AccountSidIsRequired) {
  CapabilitySpec spec = ValidSpec();
  spec.account_sid = "";
  ExpectRefused(Validate(spec), "account_sid: required", "");
}

TEST(ValidateCapabilitySpec, AccountSidMustBeAnAccountSid) {
  for (absl::string_view sid :
       {"AP0123456789abcdef0123456789abcdef",
        "AC0123456789abcdef0123456789abcde", "not-a-sid-at-all",
        "ac0123456789abcdef0123456789abcdef"}) {
    CapabilitySpec spec = ValidSpec();
    spec.account_sid = std::string(sid);
    ExpectRefused(Validate(spec),
                  "account_sid: must be \"AC\" followed by 32 hex digits", sid);
  }
}

// ---- ValidateCapabilitySpec: scope counts ---------------------------------

TEST(ValidateCapabilitySpec, AtMostMaxScopes) {
  CapabilitySpec spec = ValidSpec();
  spec.scopes.clear();
  for (int i = 0; i < 16; ++i) {
    spec.scopes.push_back(ClientIncomingScope{"alice"});
  }
  EXPECT_THAT(Validate(spec), IsOk());
  spec.scopes.push_back(ClientIncomingScope{"alice"});
  ExpectRefused(Validate(spec), "scopes: more than 16 scopes", "");
  EXPECT_THAT(Validate(spec, {.max_scopes = 17}), IsOk());
}

// ---- ValidateCapabilitySpec: client_incoming ------------------------------

TEST(ValidateCapabilitySpec, IncomingClientNameIsRequired) {
  CapabilitySpec spec = ValidSpec();
  spec.scopes[0] = ClientIncomingScope{""};
  ExpectRefused(Validate(spec),
                "scopes[0].client_incoming.client_name: required", "");
}

TEST(ValidateCapabilitySpec, IncomingClientNameIsAtMostMaxTextBytes) {
  CapabilitySpec spec = ValidSpec();
  spec.scopes[0] = ClientIncomingScope{std::string(512, 'a')};
  EXPECT_THAT(Validate(spec), IsOk());
  const std::string long_name = std::string(513, 'a');
  spec.scopes[0] = ClientIncomingScope{long_name};
  ExpectRefused(Validate(spec),
                "scopes[0].client_incoming.client_name: longer than 512 bytes",
                long_name);
  spec.scopes[0] = ClientIncomingScope{"abcdef"};
  ExpectRefused(Validate(spec, {.max_text_bytes = 5}),
                "scopes[0].client_incoming.client_name: longer than 5 bytes",
                "abcdef");
}

TEST(ValidateCapabilitySpec, IncomingClientNameMustBeUtf8) {
  CapabilitySpec spec = ValidSpec();
  spec.scopes[0] = ClientIncomingScope{"secretname\xFF"};
  ExpectRefused(Validate(spec),
                "scopes[0].client_incoming.client_name: not valid UTF-8",
                "secretname");
}

TEST(ValidateCapabilitySpec, IncomingClientNameMayNotHoldControls) {
  for (absl::string_view name : {"secretname\n", "secretname\x7f",
                                 "secretname\xC2\x85", "secret\tname"}) {
    CapabilitySpec spec = ValidSpec();
    spec.scopes[0] = ClientIncomingScope{std::string(name)};
    ExpectRefused(
        Validate(spec),
        "scopes[0].client_incoming.client_name: contains a control character",
        "secret");
  }
}

// ---- ValidateCapabilitySpec: client_outgoing ------------------------------

TEST(ValidateCapabilitySpec, OutgoingApplicationSidIsRequired) {
  CapabilitySpec spec = ValidSpec();
  std::get<ClientOutgoingScope>(spec.scopes[1]).application_sid = "";
  ExpectRefused(Validate(spec),
                "scopes[1].client_outgoing.application_sid: required", "");
}

TEST(ValidateCapabilitySpec, OutgoingApplicationSidMustBeAnAppSid) {
  for (absl::string_view sid :
       {"AC0123456789abcdef0123456789abcdef", "APsecret",
        "AP89abcdef0123456789abcdef0123456%",
        "AP89abcdef0123456789abcdef0123456"}) {
    CapabilitySpec spec = ValidSpec();
    std::get<ClientOutgoingScope>(spec.scopes[1]).application_sid =
        std::string(sid);
    ExpectRefused(Validate(spec),
                  "scopes[1].client_outgoing.application_sid: must be \"AP\" "
                  "followed by 32 hex digits",
                  sid);
  }
}

TEST(ValidateCapabilitySpec, OutgoingClientNameIsOptionalButChecked) {
  CapabilitySpec spec = ValidSpec();
  std::get<ClientOutgoingScope>(spec.scopes[1]).client_name = "";
  EXPECT_THAT(Validate(spec), IsOk());
  std::get<ClientOutgoingScope>(spec.scopes[1]).client_name = "secretname\x01";
  ExpectRefused(
      Validate(spec),
      "scopes[1].client_outgoing.client_name: contains a control character",
      "secretname");
  std::get<ClientOutgoingScope>(spec.scopes[1]).client_name =
      std::string(513, 'n');
  ExpectRefused(Validate(spec),
                "scopes[1].client_outgoing.client_name: longer than 512 bytes",
                std::string(513, 'n'));
}

TEST(ValidateCapabilitySpec, OutgoingParamKeyIsRequired) {
  CapabilitySpec spec = ValidSpec();
  std::get<ClientOutgoingScope>(spec.scopes[1]).params[0].key = "";
  ExpectRefused(Validate(spec),
                "scopes[1].client_outgoing.params[0].key: required", "");
}

TEST(ValidateCapabilitySpec, OutgoingParamValueMayBeEmpty) {
  CapabilitySpec spec = ValidSpec();
  std::get<ClientOutgoingScope>(spec.scopes[1]).params = {{"k", ""}};
  EXPECT_THAT(Validate(spec), IsOk());
}

TEST(ValidateCapabilitySpec, OutgoingParamTextIsChecked) {
  CapabilitySpec spec = ValidSpec();
  auto& params = std::get<ClientOutgoingScope>(spec.scopes[1]).params;
  params[1].value = "secretvalue\xC0\xAF";
  ExpectRefused(Validate(spec),
                "scopes[1].client_outgoing.params[1].value: not valid UTF-8",
                "secretvalue");
  params[1].value = std::string(513, 'v');
  ExpectRefused(Validate(spec),
                "scopes[1].client_outgoing.params[1].value: longer than 512 "
                "bytes",
                std::string(513, 'v'));
  params[1].value = "ok";
  params[1].key = "secretkey\r";
  ExpectRefused(Validate(spec),
                "scopes[1].client_outgoing.params[1].key: contains a control "
                "character",
                "secretkey");
}

TEST(ValidateCapabilitySpec, OutgoingParamKeysAreUnique) {
  CapabilitySpec spec = ValidSpec();
  std::get<ClientOutgoingScope>(spec.scopes[1]).params = {
      {"To", "1"}, {"From", "2"}, {"To", "3"}};
  ExpectRefused(Validate(spec),
                "scopes[1].client_outgoing.params[2].key: duplicate key", "To");
}

TEST(ValidateCapabilitySpec, ParamKeysDifferingOnlyInCaseAreDistinct) {
  CapabilitySpec spec = ValidSpec();
  std::get<ClientOutgoingScope>(spec.scopes[1]).params = {{"to", "1"},
                                                          {"To", "2"}};
  EXPECT_THAT(Validate(spec), IsOk());
}

TEST(ValidateCapabilitySpec, AtMostMaxParamsPerScope) {
  CapabilitySpec spec = ValidSpec();
  auto& params = std::get<ClientOutgoingScope>(spec.scopes[1]).params;
  params.clear();
  for (int i = 0; i < 32; ++i) params.push_back({absl::StrCat("k", i), "v"});
  EXPECT_THAT(Validate(spec), IsOk());
  params.push_back({"k32", "v"});
  ExpectRefused(Validate(spec),
                "scopes[1].client_outgoing.params: more than 32 entries", "");
}

// ---- ValidateCapabilitySpec: event_stream ---------------------------------

TEST(ValidateCapabilitySpec, EventStreamFiltersFollowTheParamRules) {
  CapabilitySpec spec = ValidSpec();
  auto& filters = std::get<EventStreamScope>(spec.scopes[2]).filters;
  filters = {};
  EXPECT_THAT(Validate(spec), IsOk());

  filters = {{"", "x"}};
  ExpectRefused(Validate(spec),
                "scopes[2].event_stream.filters[0].key: required", "");

  filters = {{"a", "1"}, {"a", "2"}};
  ExpectRefused(Validate(spec),
                "scopes[2].event_stream.filters[1].key: duplicate key", "");

  filters = {{"a", "secretvalue\x1b"}};
  ExpectRefused(
      Validate(spec),
      "scopes[2].event_stream.filters[0].value: contains a control character",
      "secretvalue");

  filters.clear();
  for (int i = 0; i < 3; ++i) filters.push_back({absl::StrCat("f", i), "v"});
  ExpectRefused(Validate(spec, {.max_params_per_scope = 2}),
                "scopes[2].event_stream.filters: more than 2 entries", "");
}

// ---- ValidateCapabilitySpec: order and lifetime ---------------------------

TEST(ValidateCapabilitySpec, ReportsTheFirstOffendingField) {
  CapabilitySpec spec = ValidSpec();
  spec.scopes[0] = ClientIncomingScope{""};
  std::get<ClientOutgoingScope>(spec.scopes[1]).application_sid = "";
  ExpectRefused(Validate(spec),
                "scopes[0].client_incoming.client_name: required", "");
  spec.account_sid = "";
  ExpectRefused(Validate(spec), "account_sid: required", "");
}

TEST(ValidateCapabilitySpec, ScopeIndexIsThePositionInTheRequest) {
  CapabilitySpec spec = ValidSpec();
  spec.scopes.push_back(ClientIncomingScope{"bob"});
  spec.scopes.push_back(ClientIncomingScope{""});
  ExpectRefused(Validate(spec),
                "scopes[4].client_incoming.client_name: required", "");
}

TEST(ValidateCapabilitySpec, TtlAndExpireTimeTogetherAreRefused) {
  CapabilitySpec spec = ValidSpec();
  spec.ttl = absl::Seconds(600);
  spec.expire_time = absl::FromUnixSeconds(kNow + 600);
  ExpectRefused(Validate(spec), "ttl, expire_time: set at most one of them",
                "");
}

TEST(ValidateCapabilitySpec, LifetimeBoundsAreLeftToResolveLifetime) {
  CapabilitySpec spec = ValidSpec();
  spec.ttl = absl::Seconds(-5);
  EXPECT_THAT(Validate(spec), IsOk());
}

}  // namespace
}  // namespace captoken::token
