// Tests for caller_policy.h: every bad policy is refused at compile time with
// a message naming callers[i].field; the first policy covering a caller
// applies, and a pattern must match the whole identity; an account the
// caller may not use is refused exactly like an unknown one; each scope
// kind, client name and lifetime is checked against the policy; and the
// token kinds (capability only unless listed), grant kinds and Access Token
// identities of the other kinds are too.

#include "service/authz/caller_policy.h"

#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "captoken/v1/config.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "service/token/access_grant.h"
#include "service/token/access_token_spec.h"
#include "service/token/capability_scope.h"
#include "service/token/capability_spec.h"
#include "service/token/taskrouter_spec.h"
#include "service/token/token_kind.h"
#include "tests/testing/status_matchers.h"

namespace captoken::authz {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSid1[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kSid2[] = "ACfedcba9876543210fedcba9876543210";
constexpr char kSid3[] = "AC11111111111111111111111111111111";
constexpr char kAppSid[] = "AP0123456789abcdef0123456789abcdef";
constexpr char kFrontend[] = "spiffe://example.org/ns/web/sa/frontend";

const absl::Duration kServerMaxTtl = absl::Hours(24);

// The `callers` of a config written in text format.
google::protobuf::RepeatedPtrField<v1::CallerPolicy> Callers(
    const std::string& text) {
  v1::ServerConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config))
      << text;
  return config.callers();
}

absl::StatusOr<std::shared_ptr<const CallerPolicies>> Compile(
    const std::string& text, absl::Duration server_max_ttl = kServerMaxTtl) {
  return CallerPolicies::Compile(Callers(text), server_max_ttl);
}

// A valid policy to put before a bad one, so that errors must name index 1.
constexpr char kGoodPolicy[] = R"pb(
  callers { identity: "spiffe://example.org/good" accounts: "*" }
)pb";

// ---- Compile ---------------------------------------------------------------

struct BadPolicy {
  const char* text;
  const char* field;
};

const BadPolicy kBadPolicies[] = {
    {"callers { accounts: \"*\" }", "callers[1].identity"},
    {"callers { identity: \"\" accounts: \"*\" }", "callers[1].identity"},
    {"callers { identity_pattern: \"spiffe://(\" }",
     "callers[1].identity_pattern"},
    {"callers { identity_pattern: \"\" }", "callers[1].identity_pattern"},
    {"callers { identity_pattern: \"a**\" }", "callers[1].identity_pattern"},
    {"callers { identity: \"x\" accounts: \"AC123\" }",
     "callers[1].accounts[0]"},
    {"callers { identity: \"x\" accounts: \"*\" accounts: \"everything\" }",
     "callers[1].accounts[1]"},
    {"callers { identity: \"x\" accounts: "
     "\"AP0123456789abcdef0123456789abcdef\" "
     "}",
     "callers[1].accounts[0]"},
    {"callers { identity: \"x\" accounts: \"\" }", "callers[1].accounts[0]"},
    {"callers { identity: \"x\" scope_kinds: SCOPE_KIND_UNSPECIFIED }",
     "callers[1].scope_kinds"},
    {"callers { identity: \"x\" scope_kinds: SCOPE_KIND_CLIENT_INCOMING "
     "scope_kinds: SCOPE_KIND_UNSPECIFIED }",
     "callers[1].scope_kinds"},
    {"callers { identity: \"x\" client_name_pattern: \"[a-z\" }",
     "callers[1].client_name_pattern"},
    {"callers { identity: \"x\" max_ttl { seconds: 86401 } }",
     "callers[1].max_ttl"},
    {"callers { identity: \"x\" max_ttl {} }", "callers[1].max_ttl"},
    {"callers { identity: \"x\" max_ttl { seconds: -60 } }",
     "callers[1].max_ttl"},
    {"callers { identity: \"x\" max_ttl { seconds: 60 nanos: 500000000 } }",
     "callers[1].max_ttl"},
    {"callers { identity: \"x\" max_ttl { nanos: 500000000 } }",
     "callers[1].max_ttl"},
    {"callers { identity: \"x\" rate {} }", "callers[1].rate.per_second"},
    {"callers { identity: \"x\" rate { burst: 5 } }",
     "callers[1].rate.per_second"},
    {"callers { identity: \"x\" rate { per_second: -1 } }",
     "callers[1].rate.per_second"},
    {"callers { identity: \"x\" token_kinds: TOKEN_KIND_ALLOWED_UNSPECIFIED }",
     "callers[1].token_kinds"},
    {"callers { identity: \"x\" grant_kinds: GRANT_KIND_VOICE "
     "grant_kinds: GRANT_KIND_UNSPECIFIED }",
     "callers[1].grant_kinds"},
    {"callers { identity: \"x\" access_identity_pattern: \"(\" }",
     "callers[1].access_identity_pattern"},
    {"callers { identity: \"x\" account_sets {} }",
     "callers[1].account_sets[0]"},
    {"callers { identity: \"x\" account_sets { directory: \"t\" } "
     "account_sets { label: \"has space\" } }",
     "callers[1].account_sets[1]"},
};

TEST(CallerPolicies, EachBadPolicyIsRefusedNamingItsField) {
  for (const BadPolicy& bad : kBadPolicies) {
    EXPECT_THAT(Compile(absl::StrCat(kGoodPolicy, bad.text)),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(absl::StrCat(bad.field, ":"))))
        << bad.text;
  }
}

TEST(CallerPolicies, UnknownScopeKindNumberIsRefused) {
  google::protobuf::RepeatedPtrField<v1::CallerPolicy> callers =
      Callers(kGoodPolicy);
  v1::CallerPolicy* policy = callers.Add();
  policy->set_identity("x");
  policy->add_scope_kinds(static_cast<v1::ScopeKind>(99));
  EXPECT_THAT(CallerPolicies::Compile(callers, kServerMaxTtl),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("callers[1].scope_kinds:")));
}

TEST(CallerPolicies, NotANumberRateIsRefused) {
  google::protobuf::RepeatedPtrField<v1::CallerPolicy> callers =
      Callers(kGoodPolicy);
  v1::CallerPolicy* policy = callers.Add();
  policy->set_identity("x");
  policy->mutable_rate()->set_per_second(
      std::numeric_limits<double>::quiet_NaN());
  EXPECT_THAT(CallerPolicies::Compile(callers, kServerMaxTtl),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("callers[1].rate.per_second:")));
}

TEST(CallerPolicies, MaxTtlOverTheServersMaximumIsRefused) {
  const std::string text =
      "callers { identity: \"x\" max_ttl { seconds: 601 } }";
  EXPECT_THAT(Compile(text, absl::Seconds(600)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("callers[0].max_ttl:")));
  EXPECT_THAT(Compile(text, absl::Seconds(601)), IsOk());
}

TEST(CallerPolicies, MaxTtlOfExactlyTheServersMaximumIsAccepted) {
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const CallerPolicies> policies,
      Compile("callers { identity: \"x\" max_ttl { seconds: 86400 } }"));
  const CallerPolicy* policy = policies->Match("x");
  ASSERT_NE(policy, nullptr);
  EXPECT_EQ(policy->max_ttl(), absl::Hours(24));
}

TEST(CallerPolicies, BadPatternIsRefusedAsNotRE2) {
  EXPECT_THAT(Compile("callers { identity_pattern: \"(\" }"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("callers[0].identity_pattern:"),
                             HasSubstr("RE2"))));
}

TEST(CallerPolicies, GoodPoliciesCompile) {
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const CallerPolicies> policies, Compile(R"pb(
        callers {
          identity: "spiffe://example.org/ns/web/sa/frontend"
          accounts: "AC0123456789abcdef0123456789abcdef"
          accounts: "ACfedcba9876543210fedcba9876543210"
          scope_kinds: SCOPE_KIND_CLIENT_INCOMING
          scope_kinds: SCOPE_KIND_CLIENT_OUTGOING
          scope_kinds: SCOPE_KIND_EVENT_STREAM
          client_name_pattern: "[A-Za-z0-9_]{1,64}"
          max_ttl { seconds: 600 }
          rate { per_second: 10 burst: 20 }
        }
        callers {
          identity_pattern: "spiffe://example\\.org/ns/batch/.*"
          accounts: "*"
        }
      )pb"));
  EXPECT_FALSE(policies->open());
  ASSERT_NE(policies->Match(kFrontend), nullptr);
  ASSERT_NE(policies->Match("spiffe://example.org/ns/batch/sa/nightly"),
            nullptr);
}

// ---- open and Match ----------------------------------------------------

TEST(CallerPolicies, NoPoliciesIsOpenAndMatchesNobody) {
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const CallerPolicies> policies,
                       Compile(""));
  EXPECT_TRUE(policies->open());
  EXPECT_EQ(policies->Match(kFrontend), nullptr);
  EXPECT_EQ(policies->Match(""), nullptr);
}

TEST(CallerPolicies, OnePolicyIsNotOpen) {
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const CallerPolicies> policies,
                       Compile("callers { identity: \"x\" }"));
  EXPECT_FALSE(policies->open());
}

TEST(CallerPolicies, FirstMatchingPolicyWins) {
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const CallerPolicies> policies,
                       Compile(R"pb(
                         callers {
                           identity_pattern: "spiffe://example\\.org/ns/web/.*"
                           accounts: "AC0123456789abcdef0123456789abcdef"
                         }
                         callers {
                           identity: "spiffe://example.org/ns/web/sa/frontend"
                           accounts: "*"
                         }
                         callers { identity_pattern: ".*" }
                       )pb"));
  const CallerPolicy* frontend = policies->Match(kFrontend);
  ASSERT_NE(frontend, nullptr);
  EXPECT_EQ(frontend->config().identity_pattern(),
            "spiffe://example\\.org/ns/web/.*");
  EXPECT_THAT(frontend->AuthorizeAccount(kSid2),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("")));

  const CallerPolicy* other = policies->Match("spiffe://example.org/ns/db");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->config().identity_pattern(), ".*");
}

TEST(CallerPolicies, IdentityMatchesExactly) {
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const CallerPolicies> policies,
      Compile("callers { identity: \"spiffe://example.org/ns/web/sa/frontend\" "
              "}"));
  EXPECT_NE(policies->Match(kFrontend), nullptr);
  for (const std::string& other : {
           absl::StrCat(kFrontend, "2"),
           absl::StrCat(kFrontend, "/"),
           absl::StrCat("x", kFrontend),
           std::string("spiffe://example.org/ns/web/sa/Frontend"),
           std::string("spiffe://example.org/ns/web/sa/frontend").substr(1),
           std::string("spiffe://example.org/ns/web/sa/fronten"),
           std::string(""),
       }) {
    EXPECT_EQ(policies->Match(other), nullptr) << other;
  }
}

TEST(CallerPolicies, PatternMustMatchTheWholeIdentity) {
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const CallerPolicies> policies, Compile(R"pb(
        callers { identity_pattern: "spiffe://example\\.org/ns/web/sa/[a-z]+" }
      )pb"));
  EXPECT_NE(policies->Match(kFrontend), nullptr);
  EXPECT_NE(policies->Match("spiffe://example.org/ns/web/sa/backend"), nullptr);
  for (const char* other : {
           "spiffe://example.org/ns/web/sa/frontend/x",
           "spiffe://example.org/ns/web/sa/frontend2",
           "evil/spiffe://example.org/ns/web/sa/frontend",
           "spiffe://exampleXorg/ns/web/sa/frontend",
           "spiffe://example.org/ns/web/sa/",
           "",
       }) {
    EXPECT_EQ(policies->Match(other), nullptr) << other;
  }
}

TEST(CallerPolicies, AlternationIsAnchoredAsAWhole) {
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const CallerPolicies> policies,
      Compile("callers { identity_pattern: \"frontend|backend\" }"));
  EXPECT_NE(policies->Match("frontend"), nullptr);
  EXPECT_NE(policies->Match("backend"), nullptr);
  for (const char* other :
       {"frontend-evil", "evil-backend", "frontendbackend", "front"}) {
    EXPECT_EQ(policies->Match(other), nullptr) << other;
  }
}

TEST(CallerPolicies, AnonymousCallerIsCoveredByNoPattern) {
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const CallerPolicies> policies,
                       Compile("callers { identity_pattern: \".*\" }"));
  EXPECT_NE(policies->Match("anyone"), nullptr);
  EXPECT_EQ(policies->Match(""), nullptr);
}

TEST(CallerPolicies, ConfigIsTheConfiguredPolicy) {
  const std::string text = R"pb(
    callers {
      identity: "spiffe://example.org/ns/web/sa/frontend"
      accounts: "AC0123456789abcdef0123456789abcdef"
      scope_kinds: SCOPE_KIND_EVENT_STREAM
      client_name_pattern: "[a-z]+"
      max_ttl { seconds: 600 }
      rate { per_second: 2 }
    }
  )pb";
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const CallerPolicies> policies,
                       Compile(text));
  const CallerPolicy* policy = policies->Match(kFrontend);
  ASSERT_NE(policy, nullptr);
  EXPECT_EQ(policy->config().SerializeAsString(),
            Callers(text).Get(0).SerializeAsString());
}

// ---- AuthorizeAccount ----------------------------------------------------

TEST(CallerPolicy, StarAllowsEveryAccount) {
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const CallerPolicies> policies,
                       Compile("callers { identity: \"x\" accounts: \"*\" }"));
  const CallerPolicy* policy = policies->Match("x");
  ASSERT_NE(policy, nullptr);
  for (const char* sid : {kSid1, kSid2, kSid3}) {
    EXPECT_THAT(policy->AuthorizeAccount(sid), IsOk()) << sid;
  }
}

TEST(CallerPolicy, ListedAccountsAreAllowedAndOthersDeniedAsUnknown) {
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const CallerPolicies> policies,
      Compile(absl::StrCat("callers { identity: \"x\" accounts: \"", kSid1,
                           "\" accounts: \"", kSid2, "\" }")));
  const CallerPolicy* policy = policies->Match("x");
  ASSERT_NE(policy, nullptr);
  EXPECT_THAT(policy->AuthorizeAccount(kSid1), IsOk());
  EXPECT_THAT(policy->AuthorizeAccount(kSid2), IsOk());
  for (const std::string& other :
       {std::string(kSid3), std::string("AC0123456789ABCDEF0123456789ABCDEF"),
        std::string(""), std::string("*")}) {
    EXPECT_THAT(policy->AuthorizeAccount(other),
                StatusIs(absl::StatusCode::kPermissionDenied,
                         Eq(std::string(kAccountDenied))))
        << other;
  }
}

TEST(CallerPolicy, NoAccountsAllowsNone) {
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const CallerPolicies> policies,
                       Compile("callers { identity: \"x\" }"));
  const CallerPolicy* policy = policies->Match("x");
  ASSERT_NE(policy, nullptr);
  EXPECT_THAT(policy->AuthorizeAccount(kSid1),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(kAccountDenied))));
}

// ---- AuthorizeMint --------------------------------------------------------

token::CapabilitySpec Spec(std::vector<token::CapabilityScope> scopes,
                           absl::string_view account_sid = kSid1) {
  token::CapabilitySpec spec;
  spec.account_sid = std::string(account_sid);
  spec.scopes = std::move(scopes);
  return spec;
}

token::CapabilityScope Incoming(const std::string& name) {
  return token::ClientIncomingScope{name};
}
token::CapabilityScope Outgoing(const std::string& name = "") {
  return token::ClientOutgoingScope{kAppSid, {}, name};
}
token::CapabilityScope Events() { return token::EventStreamScope{}; }

// Compiles one policy for identity "x" with `fields` and returns it.
std::shared_ptr<const CallerPolicies> OnePolicy(const std::string& fields) {
  absl::StatusOr<std::shared_ptr<const CallerPolicies>> policies = Compile(
      absl::StrCat("callers { identity: \"x\" accounts: \"*\" ", fields, " }"));
  EXPECT_THAT(policies, IsOk()) << fields;
  return policies.ok() ? *policies : nullptr;
}

TEST(CallerPolicy, EachScopeKindIsAllowedOnlyWhenListed) {
  struct Case {
    const char* kind;
    token::CapabilityScope scope;
  };
  const Case cases[] = {
      {"SCOPE_KIND_CLIENT_INCOMING", Incoming("alice")},
      {"SCOPE_KIND_CLIENT_OUTGOING", Outgoing()},
      {"SCOPE_KIND_EVENT_STREAM", Events()},
  };
  for (const Case& allowed : cases) {
    std::shared_ptr<const CallerPolicies> policies =
        OnePolicy(absl::StrCat("scope_kinds: ", allowed.kind));
    ASSERT_NE(policies, nullptr);
    const CallerPolicy* policy = policies->Match("x");
    ASSERT_NE(policy, nullptr);
    for (const Case& requested : cases) {
      const absl::Status status =
          policy->AuthorizeMint(Spec({requested.scope}), absl::Minutes(10));
      if (&requested == &allowed) {
        EXPECT_THAT(status, IsOk()) << allowed.kind;
      } else {
        EXPECT_THAT(status,
                    StatusIs(absl::StatusCode::kPermissionDenied,
                             AllOf(HasSubstr("scopes[0]"),
                                   HasSubstr(std::string(token::ScopeKindName(
                                       requested.scope))))))
            << allowed.kind << " allowed, " << requested.kind << " requested";
      }
    }
  }
}

TEST(CallerPolicy, EveryScopeOfARequestIsChecked) {
  std::shared_ptr<const CallerPolicies> policies =
      OnePolicy("scope_kinds: SCOPE_KIND_CLIENT_INCOMING");
  ASSERT_NE(policies, nullptr);
  const CallerPolicy* policy = policies->Match("x");
  ASSERT_NE(policy, nullptr);
  EXPECT_THAT(
      policy->AuthorizeMint(Spec({Incoming("a"), Incoming("b"), Events()}),
                            absl::Minutes(10)),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("scopes[2]")));
}

TEST(CallerPolicy, NoScopeKindsAllowsOnlyATokenWithoutScopes) {
  std::shared_ptr<const CallerPolicies> policies = OnePolicy("");
  ASSERT_NE(policies, nullptr);
  const CallerPolicy* policy = policies->Match("x");
  ASSERT_NE(policy, nullptr);
  EXPECT_THAT(policy->AuthorizeMint(Spec({}), absl::Minutes(10)), IsOk());
  for (const token::CapabilityScope& scope :
       {Incoming("alice"), Outgoing(), Events()}) {
    EXPECT_THAT(policy->AuthorizeMint(Spec({scope}), absl::Minutes(10)),
                StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("")))
        << scope;
  }
}

TEST(CallerPolicy, MintForAnAccountNotAllowedIsDeniedAsUnknown) {
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const CallerPolicies> policies,
      Compile(absl::StrCat("callers { identity: \"x\" accounts: \"", kSid1,
                           "\" scope_kinds: SCOPE_KIND_EVENT_STREAM }")));
  const CallerPolicy* policy = policies->Match("x");
  ASSERT_NE(policy, nullptr);
  EXPECT_THAT(policy->AuthorizeMint(Spec({Events()}, kSid1), absl::Minutes(1)),
              IsOk());
  // Denied for the account even when the scopes are fine too: the account
  // is checked first.
  EXPECT_THAT(policy->AuthorizeMint(Spec({Events()}, kSid2), absl::Minutes(1)),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(kAccountDenied))));
  EXPECT_THAT(
      policy->AuthorizeMint(Spec({Incoming("a")}, kSid2), absl::Minutes(1)),
      StatusIs(absl::StatusCode::kPermissionDenied,
               Eq(std::string(kAccountDenied))));
}

constexpr char kAllKindsWithNames[] =
    "scope_kinds: SCOPE_KIND_CLIENT_INCOMING "
    "scope_kinds: SCOPE_KIND_CLIENT_OUTGOING "
    "scope_kinds: SCOPE_KIND_EVENT_STREAM "
    "client_name_pattern: \"[a-z]{1,8}\"";

TEST(CallerPolicy, IncomingClientNameMustMatchThePatternInFull) {
  std::shared_ptr<const CallerPolicies> policies =
      OnePolicy(kAllKindsWithNames);
  ASSERT_NE(policies, nullptr);
  const CallerPolicy* policy = policies->Match("x");
  ASSERT_NE(policy, nullptr);
  EXPECT_THAT(
      policy->AuthorizeMint(Spec({Incoming("alice")}), absl::Minutes(1)),
      IsOk());
  for (const char* name :
       {"Alice", "alice1", "alice bob", "abcdefghi", "x-alice", "alice\n"}) {
    const absl::Status status =
        policy->AuthorizeMint(Spec({Incoming(name)}), absl::Minutes(1));
    EXPECT_THAT(status,
                StatusIs(absl::StatusCode::kPermissionDenied,
                         HasSubstr("scopes[0].client_incoming.client_name")))
        << name;
    // The name itself never appears in the error.
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr(name))) << name;
  }
}

TEST(CallerPolicy, OutgoingClientNameMustMatchThePattern) {
  std::shared_ptr<const CallerPolicies> policies =
      OnePolicy(kAllKindsWithNames);
  ASSERT_NE(policies, nullptr);
  const CallerPolicy* policy = policies->Match("x");
  ASSERT_NE(policy, nullptr);
  EXPECT_THAT(policy->AuthorizeMint(Spec({Outgoing("bob")}), absl::Minutes(1)),
              IsOk());
  EXPECT_THAT(
      policy->AuthorizeMint(Spec({Incoming("alice"), Outgoing("Mallory_1")}),
                            absl::Minutes(1)),
      StatusIs(absl::StatusCode::kPermissionDenied,
               HasSubstr("scopes[1].client_outgoing.client_name")));
}

TEST(CallerPolicy, OutgoingScopeWithoutANameIsNotCheckedAgainstThePattern) {
  std::shared_ptr<const CallerPolicies> policies =
      OnePolicy(kAllKindsWithNames);
  ASSERT_NE(policies, nullptr);
  const CallerPolicy* policy = policies->Match("x");
  ASSERT_NE(policy, nullptr);
  // "" does not match [a-z]{1,8}, yet an outgoing scope may omit the name.
  EXPECT_THAT(
      policy->AuthorizeMint(Spec({Outgoing(""), Events()}), absl::Minutes(1)),
      IsOk());
}

TEST(CallerPolicy, WithoutAPatternAnyClientNameIsAllowed) {
  std::shared_ptr<const CallerPolicies> policies = OnePolicy(
      "scope_kinds: SCOPE_KIND_CLIENT_INCOMING "
      "scope_kinds: SCOPE_KIND_CLIENT_OUTGOING");
  ASSERT_NE(policies, nullptr);
  const CallerPolicy* policy = policies->Match("x");
  ASSERT_NE(policy, nullptr);
  EXPECT_THAT(policy->AuthorizeMint(
                  Spec({Incoming("Any Name-1"), Outgoing("Other Name")}),
                  absl::Minutes(1)),
              IsOk());
}

TEST(CallerPolicy, LifetimeOverMaxTtlIsDeniedAndExactlyMaxTtlAllowed) {
  std::shared_ptr<const CallerPolicies> policies =
      OnePolicy("max_ttl { seconds: 600 }");
  ASSERT_NE(policies, nullptr);
  const CallerPolicy* policy = policies->Match("x");
  ASSERT_NE(policy, nullptr);
  EXPECT_EQ(policy->max_ttl(), absl::Seconds(600));
  EXPECT_THAT(policy->AuthorizeMint(Spec({}), absl::Seconds(600)), IsOk());
  EXPECT_THAT(policy->AuthorizeMint(Spec({}), absl::Seconds(1)), IsOk());
  EXPECT_THAT(policy->AuthorizeMint(Spec({}), absl::Seconds(601)),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("ttl")));
  EXPECT_THAT(policy->AuthorizeMint(Spec({}), absl::Hours(24)),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("ttl")));
}

TEST(CallerPolicy, WithoutMaxTtlAnyLifetimeIsAllowed) {
  std::shared_ptr<const CallerPolicies> policies = OnePolicy("");
  ASSERT_NE(policies, nullptr);
  const CallerPolicy* policy = policies->Match("x");
  ASSERT_NE(policy, nullptr);
  EXPECT_EQ(policy->max_ttl(), absl::nullopt);
  EXPECT_THAT(policy->AuthorizeMint(Spec({}), absl::Hours(24)), IsOk());
}

// ---- Rate ------------------------------------------------------------------

TEST(CallerPolicy, WithoutARateThereIsNoLimit) {
  std::shared_ptr<const CallerPolicies> policies = OnePolicy("");
  ASSERT_NE(policies, nullptr);
  const CallerPolicy* policy = policies->Match("x");
  ASSERT_NE(policy, nullptr);
  EXPECT_FALSE(policy->rate_limited());
}

TEST(CallerPolicy, BurstDefaultsToPerSecondRoundedUp) {
  struct Case {
    const char* rate;
    double per_second;
    double burst;
  };
  for (const Case& c : {
           Case{"rate { per_second: 10 }", 10, 10},
           Case{"rate { per_second: 2.5 }", 2.5, 3},
           Case{"rate { per_second: 0.2 }", 0.2, 1},
           Case{"rate { per_second: 100.01 }", 100.01, 101},
           Case{"rate { per_second: 2.5 burst: 7 }", 2.5, 7},
           Case{"rate { per_second: 50 burst: 1 }", 50, 1},
       }) {
    std::shared_ptr<const CallerPolicies> policies = OnePolicy(c.rate);
    ASSERT_NE(policies, nullptr);
    const CallerPolicy* policy = policies->Match("x");
    ASSERT_NE(policy, nullptr);
    EXPECT_TRUE(policy->rate_limited()) << c.rate;
    EXPECT_EQ(policy->per_second(), c.per_second) << c.rate;
    EXPECT_EQ(policy->burst(), c.burst) << c.rate;
  }
}

// ---- Token kinds, TaskRouter and Access Tokens
// -------------------------------

constexpr char kWorkspaceSid[] = "WS0123456789abcdef0123456789abcdef";
constexpr char kWorkerSid[] = "WK0123456789abcdef0123456789abcdef";

token::TaskRouterSpec WorkerSpec(absl::string_view account_sid = kSid1) {
  token::TaskRouterSpec spec;
  spec.account_sid = std::string(account_sid);
  spec.workspace_sid = kWorkspaceSid;
  spec.channel_id = kWorkerSid;
  return spec;
}

token::AccessTokenSpec AccessSpec(std::vector<token::AccessGrant> grants,
                                  absl::string_view identity = "alice",
                                  absl::string_view account_sid = kSid1) {
  token::AccessTokenSpec spec;
  spec.account_sid = std::string(account_sid);
  spec.identity = std::string(identity);
  spec.grants = std::move(grants);
  return spec;
}

TEST(CallerPolicies, UnknownTokenAndGrantKindNumbersAreRefused) {
  for (int field = 0; field < 2; ++field) {
    google::protobuf::RepeatedPtrField<v1::CallerPolicy> callers =
        Callers(kGoodPolicy);
    v1::CallerPolicy* policy = callers.Add();
    policy->set_identity("x");
    if (field == 0) {
      policy->add_token_kinds(static_cast<v1::TokenKindAllowed>(4));
    } else {
      policy->add_grant_kinds(static_cast<v1::GrantKind>(7));
    }
    EXPECT_THAT(CallerPolicies::Compile(callers, kServerMaxTtl),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(field == 0 ? "callers[1].token_kinds:"
                                              : "callers[1].grant_kinds:")));
  }
}

TEST(CallerPolicy, NoTokenKindsMeansCapabilityTokensOnly) {
  // A config written before the other kinds existed keeps its meaning.
  std::shared_ptr<const CallerPolicies> policies =
      OnePolicy("scope_kinds: SCOPE_KIND_CLIENT_INCOMING");
  const CallerPolicy* policy = policies->Match("x");
  EXPECT_THAT(policy->AuthorizeKind(token::TokenKind::kCapability), IsOk());
  EXPECT_THAT(policy->AuthorizeMint(Spec({Incoming("alice")}), absl::Hours(1)),
              IsOk());
  EXPECT_THAT(policy->AuthorizeKind(token::TokenKind::kTaskRouter),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq("this caller may not use taskrouter tokens")));
  EXPECT_THAT(policy->AuthorizeKind(token::TokenKind::kAccessToken),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq("this caller may not use access tokens")));
  EXPECT_THAT(
      policy->AuthorizeTaskRouter(WorkerSpec(), absl::Hours(1)),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("taskrouter")));
  EXPECT_THAT(policy->AuthorizeAccessToken(AccessSpec({}), absl::Hours(1)),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("access tokens")));
}

TEST(CallerPolicy, ListedTokenKindsAreTheOnlyOnes) {
  std::shared_ptr<const CallerPolicies> policies =
      OnePolicy("token_kinds: TOKEN_KIND_ALLOWED_TASKROUTER");
  const CallerPolicy* policy = policies->Match("x");
  EXPECT_THAT(policy->AuthorizeTaskRouter(WorkerSpec(), absl::Hours(1)),
              IsOk());
  // Listing kinds replaces the capability-only default.
  EXPECT_THAT(policy->AuthorizeMint(Spec({}), absl::Hours(1)),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq("this caller may not use capability tokens")));
  EXPECT_THAT(policy->AuthorizeAccessToken(AccessSpec({}), absl::Hours(1)),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq("this caller may not use access tokens")));

  policies = OnePolicy(
      "token_kinds: [TOKEN_KIND_ALLOWED_CAPABILITY, "
      "TOKEN_KIND_ALLOWED_ACCESS]");
  policy = policies->Match("x");
  EXPECT_THAT(policy->AuthorizeKind(token::TokenKind::kCapability), IsOk());
  EXPECT_THAT(policy->AuthorizeKind(token::TokenKind::kAccessToken), IsOk());
  EXPECT_THAT(policy->AuthorizeKind(token::TokenKind::kTaskRouter),
              StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_));
}

TEST(CallerPolicy, TheAccountListAppliesToEveryKind) {
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const CallerPolicies> policies,
      Compile(absl::StrCat("callers { identity: \"x\" accounts: \"", kSid1,
                           "\" token_kinds: [TOKEN_KIND_ALLOWED_TASKROUTER, "
                           "TOKEN_KIND_ALLOWED_ACCESS] }")));
  const CallerPolicy* policy = policies->Match("x");
  for (absl::string_view other : {kSid2, kSid3}) {
    EXPECT_THAT(policy->AuthorizeTaskRouter(WorkerSpec(other), absl::Hours(1)),
                StatusIs(absl::StatusCode::kPermissionDenied,
                         Eq(std::string(kAccountDenied))));
    EXPECT_THAT(policy->AuthorizeAccessToken(AccessSpec({}, "alice", other),
                                             absl::Hours(1)),
                StatusIs(absl::StatusCode::kPermissionDenied,
                         Eq(std::string(kAccountDenied))));
  }
  EXPECT_THAT(policy->AuthorizeTaskRouter(WorkerSpec(kSid1), absl::Hours(1)),
              IsOk());
}

TEST(CallerPolicy, TheAccountIsCheckedBeforeTheKind) {
  // A caller refused the kind learns nothing about accounts that are not
  // its own: it gets the unknown-account answer for them.
  std::shared_ptr<const CallerPolicies> policies =
      Compile(
          absl::StrCat("callers { identity: \"x\" accounts: \"", kSid1, "\" }"))
          .value();
  EXPECT_THAT(policies->Match("x")->AuthorizeTaskRouter(WorkerSpec(kSid2),
                                                        absl::Hours(1)),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(kAccountDenied))));
}

TEST(CallerPolicy, NoGrantKindsAllowsOnlyAnIdentityToken) {
  std::shared_ptr<const CallerPolicies> policies =
      OnePolicy("token_kinds: TOKEN_KIND_ALLOWED_ACCESS");
  const CallerPolicy* policy = policies->Match("x");
  EXPECT_THAT(policy->AuthorizeAccessToken(AccessSpec({}), absl::Hours(1)),
              IsOk());
  EXPECT_THAT(
      policy->AuthorizeAccessToken(AccessSpec({token::VideoGrant{}}),
                                   absl::Hours(1)),
      StatusIs(absl::StatusCode::kPermissionDenied,
               Eq("grants[0]: this caller may not request video grants")));
}

TEST(CallerPolicy, EachGrantKindIsAllowedOnlyWhenListed) {
  std::shared_ptr<const CallerPolicies> policies = OnePolicy(
      "token_kinds: TOKEN_KIND_ALLOWED_ACCESS "
      "grant_kinds: [GRANT_KIND_VOICE, GRANT_KIND_VIDEO]");
  const CallerPolicy* policy = policies->Match("x");
  EXPECT_THAT(policy->AuthorizeAccessToken(
                  AccessSpec({token::VoiceGrant{}, token::VideoGrant{}}),
                  absl::Hours(1)),
              IsOk());
  const std::vector<std::pair<token::AccessGrant, const char*>> refused = {
      {token::ChatGrant{}, "chat"},
      {token::SyncGrant{}, "sync"},
      {token::TaskRouterGrant{}, "task_router"},
      {token::PlaybackGrant{}, "playback"}};
  for (const auto& [grant, name] : refused) {
    EXPECT_THAT(policy->AuthorizeAccessToken(
                    AccessSpec({token::VoiceGrant{}, grant}), absl::Hours(1)),
                StatusIs(absl::StatusCode::kPermissionDenied,
                         Eq(absl::StrCat("grants[1]: this caller may not "
                                         "request ",
                                         name, " grants"))));
  }
}

TEST(CallerPolicy, AccessIdentityMustMatchThePatternInFull) {
  std::shared_ptr<const CallerPolicies> policies = OnePolicy(
      "token_kinds: TOKEN_KIND_ALLOWED_ACCESS "
      "access_identity_pattern: \"[A-Za-z0-9_]{1,16}\"");
  const CallerPolicy* policy = policies->Match("x");
  EXPECT_THAT(
      policy->AuthorizeAccessToken(AccessSpec({}, "alice_1"), absl::Hours(1)),
      IsOk());
  for (const char* identity :
       {"alice smith", "alice@example.com", "a_very_long_identity_name", ""}) {
    EXPECT_THAT(
        policy->AuthorizeAccessToken(AccessSpec({}, identity), absl::Hours(1)),
        StatusIs(absl::StatusCode::kPermissionDenied,
                 AllOf(Eq("identity: not allowed for this caller"),
                       Not(HasSubstr(identity[0] ? identity : "@")))))
        << identity;
  }
}

TEST(CallerPolicy, WithoutAnIdentityPatternAnyIdentityIsAllowed) {
  std::shared_ptr<const CallerPolicies> policies =
      OnePolicy("token_kinds: TOKEN_KIND_ALLOWED_ACCESS");
  EXPECT_THAT(policies->Match("x")->AuthorizeAccessToken(
                  AccessSpec({}, "anyone at all ☺"), absl::Hours(1)),
              IsOk());
}

TEST(CallerPolicy, MaxTtlAppliesToEveryKind) {
  std::shared_ptr<const CallerPolicies> policies = OnePolicy(
      "token_kinds: [TOKEN_KIND_ALLOWED_TASKROUTER, TOKEN_KIND_ALLOWED_ACCESS] "
      "max_ttl { seconds: 600 }");
  const CallerPolicy* policy = policies->Match("x");
  EXPECT_THAT(policy->AuthorizeTaskRouter(WorkerSpec(), absl::Seconds(600)),
              IsOk());
  EXPECT_THAT(policy->AuthorizeAccessToken(AccessSpec({}), absl::Seconds(600)),
              IsOk());
  EXPECT_THAT(policy->AuthorizeTaskRouter(WorkerSpec(), absl::Seconds(601)),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq("ttl: longer than this caller's maximum of 600 s")));
  EXPECT_THAT(policy->AuthorizeAccessToken(AccessSpec({}), absl::Seconds(601)),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq("ttl: longer than this caller's maximum of 600 s")));
}

// ---- Account sets ----------------------------------------------------------

TEST(CallerPolicy, AccountSetsAllowTheirDirectoryAccountsOnly) {
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const CallerPolicies> policies,
      Compile(absl::StrCat("callers { identity: \"x\" accounts: \"", kSid1,
                           "\" account_sets { directory: \"tenants\" } "
                           "account_sets { label: \"tier:gold\" } }")));
  const CallerPolicy* policy = policies->Match("x");
  ASSERT_NE(policy, nullptr);
  const std::vector<std::string> gold = {"region:eu", "tier:gold"};
  const std::vector<std::string> silver = {"tier:silver"};
  // Listed by SID: allowed whatever its traits.
  EXPECT_THAT(policy->AuthorizeAccount(kSid1), IsOk());
  // Any account of the directory "tenants".
  EXPECT_THAT(policy->AuthorizeAccount(kSid2, {.directory = "tenants"}),
              IsOk());
  // An account of another directory only with the label.
  EXPECT_THAT(policy->AuthorizeAccount(
                  kSid2, {.directory = "partners", .labels = gold}),
              IsOk());
  EXPECT_THAT(policy->AuthorizeAccount(
                  kSid2, {.directory = "partners", .labels = silver}),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(kAccountDenied))));
  // An account the server does not hold, or one listed in the config, has
  // no traits: denied like any unknown account.
  EXPECT_THAT(policy->AuthorizeAccount(kSid3),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(kAccountDenied))));
}

TEST(CallerPolicy, AnAccountSetWithBothFieldsNeedsBoth) {
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const CallerPolicies> policies,
      Compile("callers { identity: \"x\" account_sets { directory: "
              "\"tenants\" label: \"tier:gold\" } }"));
  const CallerPolicy* policy = policies->Match("x");
  ASSERT_NE(policy, nullptr);
  const std::vector<std::string> gold = {"tier:gold"};
  EXPECT_THAT(
      policy->AuthorizeAccount(kSid2, {.directory = "tenants", .labels = gold}),
      IsOk());
  EXPECT_THAT(policy->AuthorizeAccount(kSid2, {.directory = "tenants"}),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("")));
  EXPECT_THAT(policy->AuthorizeAccount(
                  kSid2, {.directory = "partners", .labels = gold}),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("")));
}

TEST(CallerPolicy, AccountSetsApplyToEveryKind) {
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const CallerPolicies> policies,
      Compile("callers { identity: \"x\" account_sets { directory: "
              "\"tenants\" } scope_kinds: SCOPE_KIND_EVENT_STREAM "
              "token_kinds: TOKEN_KIND_ALLOWED_CAPABILITY "
              "token_kinds: TOKEN_KIND_ALLOWED_TASKROUTER "
              "token_kinds: TOKEN_KIND_ALLOWED_ACCESS }"));
  const CallerPolicy* policy = policies->Match("x");
  ASSERT_NE(policy, nullptr);
  const AccountTraits tenant = {.directory = "tenants"};
  EXPECT_THAT(
      policy->AuthorizeMint(Spec({Events()}, kSid2), absl::Minutes(1), tenant),
      IsOk());
  EXPECT_THAT(policy->AuthorizeMint(Spec({Events()}, kSid2), absl::Minutes(1)),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       Eq(std::string(kAccountDenied))));
  token::TaskRouterSpec taskrouter;
  taskrouter.account_sid = kSid2;
  EXPECT_THAT(policy->AuthorizeTaskRouter(taskrouter, absl::Minutes(1), tenant),
              IsOk());
  EXPECT_THAT(policy->AuthorizeTaskRouter(taskrouter, absl::Minutes(1)),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("")));
  token::AccessTokenSpec access;
  access.account_sid = kSid2;
  access.identity = "alice";
  EXPECT_THAT(policy->AuthorizeAccessToken(access, absl::Minutes(1), tenant),
              IsOk());
  EXPECT_THAT(policy->AuthorizeAccessToken(access, absl::Minutes(1)),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("")));
}

TEST(CallerPolicies, ConfigReportsTheAccountSets) {
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const CallerPolicies> policies,
      Compile("callers { identity: \"x\" account_sets { directory: "
              "\"tenants\" label: \"tier:gold\" } }"));
  const v1::CallerPolicy& config = policies->Match("x")->config();
  ASSERT_EQ(config.account_sets_size(), 1);
  EXPECT_EQ(config.account_sets(0).directory(), "tenants");
  EXPECT_EQ(config.account_sets(0).label(), "tier:gold");
}

TEST(CallerPolicies, ConfigReportsTheNewFields) {
  ASSERT_OK_AND_ASSIGN(
      std::shared_ptr<const CallerPolicies> policies,
      Compile("callers { identity: \"x\" token_kinds: "
              "TOKEN_KIND_ALLOWED_ACCESS grant_kinds: GRANT_KIND_CHAT "
              "access_identity_pattern: \"[a-z]+\" }"));
  const v1::CallerPolicy& config = policies->Match("x")->config();
  ASSERT_EQ(config.token_kinds_size(), 1);
  EXPECT_EQ(config.token_kinds(0), v1::TOKEN_KIND_ALLOWED_ACCESS);
  ASSERT_EQ(config.grant_kinds_size(), 1);
  EXPECT_EQ(config.grant_kinds(0), v1::GRANT_KIND_CHAT);
  EXPECT_EQ(config.access_identity_pattern(), "[a-z]+");
}

}  // namespace
}  // namespace captoken::authz
