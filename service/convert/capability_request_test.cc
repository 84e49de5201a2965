// Tests for capability_request.h: the wire request becomes a CapabilitySpec
// field for field (order kept), only shape is refused here, and scopes and
// times convert back to the wire.

#include "service/convert/capability_request.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "captoken/v1/capability.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "google/protobuf/timestamp.pb.h"
#include "gtest/gtest.h"
#include "service/token/capability_scope.h"
#include "service/token/capability_spec.h"
#include "tests/testing/status_matchers.h"

namespace captoken::convert {
namespace {

using ::captoken::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kAccountSid[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kAppSid[] = "AP0123456789abcdef0123456789abcdef";

// The range google.protobuf.Duration and Timestamp document.
constexpr int64_t kMaxDurationSeconds = 315576000000;
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

void AddParam(google::protobuf::RepeatedPtrField<v1::Param>* params,
              const std::string& key, const std::string& value) {
  v1::Param* param = params->Add();
  param->set_key(key);
  param->set_value(value);
}

absl::StatusOr<token::CapabilitySpec> Convert(
    const v1::CapabilityRequest& request) {
  return CapabilitySpecFromProto(request, token::Profile::kTwilioPython);
}

// ---- CapabilitySpecFromProto: account and scopes ----------------------

TEST(CapabilitySpecFromProto, EmptyRequestBecomesEmptySpec) {
  ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec,
                       Convert(v1::CapabilityRequest()));
  EXPECT_EQ(spec.account_sid, "");
  EXPECT_TRUE(spec.scopes.empty());
  EXPECT_FALSE(spec.ttl.has_value());
  EXPECT_FALSE(spec.expire_time.has_value());
  EXPECT_EQ(spec.profile, token::Profile::kTwilioPython);
}

TEST(CapabilitySpecFromProto, AccountSidIsCopiedUnchecked) {
  // Values are the token library's business, not the conversion's.
  v1::CapabilityRequest request;
  request.set_account_sid("not a sid");
  ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec, Convert(request));
  EXPECT_EQ(spec.account_sid, "not a sid");
}

TEST(CapabilitySpecFromProto, ClientIncomingScopeIsConverted) {
  v1::CapabilityRequest request;
  request.set_account_sid(kAccountSid);
  request.add_scopes()->mutable_client_incoming()->set_client_name("alice");
  ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec, Convert(request));
  EXPECT_EQ(spec.account_sid, kAccountSid);
  ASSERT_EQ(spec.scopes.size(), 1u);
  EXPECT_EQ(spec.scopes[0],
            token::CapabilityScope(token::ClientIncomingScope{"alice"}));
}

TEST(CapabilitySpecFromProto, ClientOutgoingScopeKeepsParamsInOrder) {
  v1::CapabilityRequest request;
  v1::ClientOutgoing* outgoing =
      request.add_scopes()->mutable_client_outgoing();
  outgoing->set_application_sid(kAppSid);
  outgoing->set_client_name("bob");
  AddParam(outgoing->mutable_params(), "zeta", "1");
  AddParam(outgoing->mutable_params(), "alpha", "");
  AddParam(outgoing->mutable_params(), "mid", "x y");
  ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec, Convert(request));
  ASSERT_EQ(spec.scopes.size(), 1u);
  const auto* converted =
      std::get_if<token::ClientOutgoingScope>(&spec.scopes[0]);
  ASSERT_NE(converted, nullptr);
  EXPECT_EQ(converted->application_sid, kAppSid);
  EXPECT_EQ(converted->client_name, "bob");
  EXPECT_THAT(converted->params,
              ElementsAre(token::Param{"zeta", "1"}, token::Param{"alpha", ""},
                          token::Param{"mid", "x y"}));
}

TEST(CapabilitySpecFromProto, ClientOutgoingWithoutParamsOrNameIsEmpty) {
  v1::CapabilityRequest request;
  request.add_scopes()->mutable_client_outgoing()->set_application_sid(kAppSid);
  ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec, Convert(request));
  ASSERT_EQ(spec.scopes.size(), 1u);
  EXPECT_EQ(spec.scopes[0], token::CapabilityScope(
                                token::ClientOutgoingScope{kAppSid, {}, ""}));
}

TEST(CapabilitySpecFromProto, EventStreamScopeKeepsFiltersInOrder) {
  v1::CapabilityRequest request;
  v1::EventStream* stream = request.add_scopes()->mutable_event_stream();
  AddParam(stream->mutable_filters(), "b", "2");
  AddParam(stream->mutable_filters(), "a", "1");
  ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec, Convert(request));
  ASSERT_EQ(spec.scopes.size(), 1u);
  const auto* converted = std::get_if<token::EventStreamScope>(&spec.scopes[0]);
  ASSERT_NE(converted, nullptr);
  EXPECT_THAT(converted->filters,
              ElementsAre(token::Param{"b", "2"}, token::Param{"a", "1"}));
}

TEST(CapabilitySpecFromProto, EmptyEventStreamIsAScope) {
  v1::CapabilityRequest request;
  request.add_scopes()->mutable_event_stream();
  ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec, Convert(request));
  ASSERT_EQ(spec.scopes.size(), 1u);
  EXPECT_EQ(spec.scopes[0], token::CapabilityScope(token::EventStreamScope{}));
}

TEST(CapabilitySpecFromProto, ScopesKeepRequestOrderAndRepeats) {
  v1::CapabilityRequest request;
  request.add_scopes()->mutable_event_stream();
  request.add_scopes()->mutable_client_incoming()->set_client_name("a");
  request.add_scopes()->mutable_client_outgoing()->set_application_sid(kAppSid);
  request.add_scopes()->mutable_client_incoming()->set_client_name("b");
  ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec, Convert(request));
  EXPECT_THAT(
      spec.scopes,
      ElementsAre(
          token::CapabilityScope(token::EventStreamScope{}),
          token::CapabilityScope(token::ClientIncomingScope{"a"}),
          token::CapabilityScope(token::ClientOutgoingScope{kAppSid, {}, ""}),
          token::CapabilityScope(token::ClientIncomingScope{"b"})));
}

TEST(CapabilitySpecFromProto, ScopeWithNoKindIsRefusedWithItsIndex) {
  v1::CapabilityRequest request;
  request.add_scopes()->mutable_client_incoming()->set_client_name("a");
  request.add_scopes();  // no kind set
  EXPECT_THAT(Convert(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("scopes[1]: no scope kind set")));
}

TEST(CapabilitySpecFromProto, FirstScopeWithNoKindIsNamed) {
  v1::CapabilityRequest request;
  request.add_scopes();
  request.add_scopes();
  EXPECT_THAT(Convert(request), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("scopes[0]")));
}

// ---- CapabilitySpecFromProto: profile ------------------------------------

TEST(CapabilitySpecFromProto, UnspecifiedProfileBecomesTheDefault) {
  v1::CapabilityRequest request;
  request.set_profile(v1::PROFILE_UNSPECIFIED);
  ASSERT_OK_AND_ASSIGN(
      token::CapabilitySpec python,
      CapabilitySpecFromProto(request, token::Profile::kTwilioPython));
  EXPECT_EQ(python.profile, token::Profile::kTwilioPython);
  ASSERT_OK_AND_ASSIGN(
      token::CapabilitySpec node,
      CapabilitySpecFromProto(request, token::Profile::kTwilioNode));
  EXPECT_EQ(node.profile, token::Profile::kTwilioNode);
}

TEST(CapabilitySpecFromProto, ExplicitProfileOverridesTheDefault) {
  v1::CapabilityRequest request;
  request.set_profile(v1::PROFILE_TWILIO_PYTHON);
  ASSERT_OK_AND_ASSIGN(
      token::CapabilitySpec python,
      CapabilitySpecFromProto(request, token::Profile::kTwilioNode));
  EXPECT_EQ(python.profile, token::Profile::kTwilioPython);

  request.set_profile(v1::PROFILE_TWILIO_NODE);
  ASSERT_OK_AND_ASSIGN(
      token::CapabilitySpec node,
      CapabilitySpecFromProto(request, token::Profile::kTwilioPython));
  EXPECT_EQ(node.profile, token::Profile::kTwilioNode);
}

TEST(CapabilitySpecFromProto, CopiesOmitNotBefore) {
  v1::CapabilityRequest request;
  request.set_profile(v1::PROFILE_TWILIO_PYTHON_7);
  ASSERT_OK_AND_ASSIGN(
      token::CapabilitySpec with_nbf,
      CapabilitySpecFromProto(request, token::Profile::kTwilioPython));
  EXPECT_FALSE(with_nbf.omit_not_before);
  request.set_omit_not_before(true);
  ASSERT_OK_AND_ASSIGN(
      token::CapabilitySpec without,
      CapabilitySpecFromProto(request, token::Profile::kTwilioPython));
  EXPECT_EQ(without.profile, token::Profile::kTwilioPython7);
  EXPECT_TRUE(without.omit_not_before);
}

TEST(CapabilitySpecFromProto, UnknownProfileNumberIsRefused) {
  v1::CapabilityRequest request;
  request.set_profile(static_cast<v1::Profile>(99));
  EXPECT_THAT(Convert(request), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("profile")));
}

TEST(CapabilitySpecFromProto, NegativeProfileNumberIsRefused) {
  v1::CapabilityRequest request;
  request.set_profile(static_cast<v1::Profile>(-1));
  EXPECT_THAT(Convert(request), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("profile")));
}

// ---- CapabilitySpecFromProto: ttl ----------------------------------------

TEST(CapabilitySpecFromProto, TtlIsConverted) {
  v1::CapabilityRequest request;
  request.mutable_ttl()->set_seconds(600);
  ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec, Convert(request));
  ASSERT_TRUE(spec.ttl.has_value());
  EXPECT_EQ(*spec.ttl, absl::Seconds(600));
  EXPECT_FALSE(spec.expire_time.has_value());
}

TEST(CapabilitySpecFromProto, TtlKeepsItsNanosForTheLibraryToRefuse) {
  v1::CapabilityRequest request;
  request.mutable_ttl()->set_seconds(60);
  request.mutable_ttl()->set_nanos(500);
  ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec, Convert(request));
  ASSERT_TRUE(spec.ttl.has_value());
  EXPECT_EQ(*spec.ttl, absl::Seconds(60) + absl::Nanoseconds(500));
}

TEST(CapabilitySpecFromProto, ZeroTtlIsSetNotAbsent) {
  v1::CapabilityRequest request;
  request.mutable_ttl();
  ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec, Convert(request));
  ASSERT_TRUE(spec.ttl.has_value());
  EXPECT_EQ(*spec.ttl, absl::ZeroDuration());
}

TEST(CapabilitySpecFromProto, NegativeTtlInRangeIsConverted) {
  v1::CapabilityRequest request;
  request.mutable_ttl()->set_seconds(-5);
  request.mutable_ttl()->set_nanos(-999999999);
  ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec, Convert(request));
  ASSERT_TRUE(spec.ttl.has_value());
  EXPECT_EQ(*spec.ttl, absl::Seconds(-5) - absl::Nanoseconds(999999999));
}

TEST(CapabilitySpecFromProto, TtlAtTheProtobufLimitsIsConverted) {
  v1::CapabilityRequest request;
  request.mutable_ttl()->set_seconds(kMaxDurationSeconds);
  request.mutable_ttl()->set_nanos(999999999);
  ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec, Convert(request));
  ASSERT_TRUE(spec.ttl.has_value());
  EXPECT_EQ(*spec.ttl,
            absl::Seconds(kMaxDurationSeconds) + absl::Nanoseconds(999999999));
}

TEST(CapabilitySpecFromProto, TtlOutOfProtobufRangeIsRefused) {
  struct Case {
    int64_t seconds;
    int32_t nanos;
  };
  for (const Case& c :
       {Case{kMaxDurationSeconds + 1, 0}, Case{-kMaxDurationSeconds - 1, 0},
        Case{INT64_MAX, 0}, Case{INT64_MIN, 0}, Case{0, 1000000000},
        Case{0, -1000000000}, Case{0, INT32_MAX}, Case{0, INT32_MIN}}) {
    v1::CapabilityRequest request;
    request.mutable_ttl()->set_seconds(c.seconds);
    request.mutable_ttl()->set_nanos(c.nanos);
    EXPECT_THAT(Convert(request), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("ttl: out of range")))
        << c.seconds << "s " << c.nanos << "ns";
  }
}

// ---- CapabilitySpecFromProto: expire_time --------------------------------

TEST(CapabilitySpecFromProto, ExpireTimeIsConverted) {
  v1::CapabilityRequest request;
  request.mutable_expire_time()->set_seconds(1700003600);
  ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec, Convert(request));
  ASSERT_TRUE(spec.expire_time.has_value());
  EXPECT_EQ(*spec.expire_time, absl::FromUnixSeconds(1700003600));
  EXPECT_FALSE(spec.ttl.has_value());
}

TEST(CapabilitySpecFromProto, ExpireTimeKeepsItsNanos) {
  v1::CapabilityRequest request;
  request.mutable_expire_time()->set_seconds(1700003600);
  request.mutable_expire_time()->set_nanos(999999999);
  ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec, Convert(request));
  ASSERT_TRUE(spec.expire_time.has_value());
  EXPECT_EQ(*spec.expire_time,
            absl::FromUnixSeconds(1700003600) + absl::Nanoseconds(999999999));
}

TEST(CapabilitySpecFromProto, ExpireTimeAtTheProtobufLimitsIsConverted) {
  for (int64_t seconds : {kMinTimestampSeconds, kMaxTimestampSeconds}) {
    v1::CapabilityRequest request;
    request.mutable_expire_time()->set_seconds(seconds);
    ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec, Convert(request));
    ASSERT_TRUE(spec.expire_time.has_value());
    EXPECT_EQ(*spec.expire_time, absl::FromUnixSeconds(seconds));
  }
}

TEST(CapabilitySpecFromProto, ExpireTimeOutOfProtobufRangeIsRefused) {
  struct Case {
    int64_t seconds;
    int32_t nanos;
  };
  for (const Case& c :
       {Case{kMaxTimestampSeconds + 1, 0}, Case{kMinTimestampSeconds - 1, 0},
        Case{INT64_MAX, 0}, Case{INT64_MIN, 0}, Case{1700000000, -1},
        Case{1700000000, 1000000000}}) {
    v1::CapabilityRequest request;
    request.mutable_expire_time()->set_seconds(c.seconds);
    request.mutable_expire_time()->set_nanos(c.nanos);
    EXPECT_THAT(Convert(request),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("expire_time: out of range")))
        << c.seconds << "s " << c.nanos << "ns";
  }
}

TEST(CapabilitySpecFromProto, TtlAndExpireTimeAreBothCarried) {
  // Refusing both at once is ValidateCapabilitySpec's job.
  v1::CapabilityRequest request;
  request.mutable_ttl()->set_seconds(60);
  request.mutable_expire_time()->set_seconds(1700000060);
  ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec, Convert(request));
  EXPECT_TRUE(spec.ttl.has_value());
  EXPECT_TRUE(spec.expire_time.has_value());
}

// ---- ProfileToProto --------------------------------------------------------

TEST(ProfileToProto, MapsEachProfile) {
  EXPECT_EQ(ProfileToProto(token::Profile::kTwilioPython),
            v1::PROFILE_TWILIO_PYTHON);
  EXPECT_EQ(ProfileToProto(token::Profile::kTwilioNode),
            v1::PROFILE_TWILIO_NODE);
  EXPECT_EQ(ProfileToProto(token::Profile::kTwilioPython6),
            v1::PROFILE_TWILIO_PYTHON_6);
  EXPECT_EQ(ProfileToProto(token::Profile::kTwilioPython7),
            v1::PROFILE_TWILIO_PYTHON_7);
}

TEST(ProfileToProto, RoundTripsThroughCapabilitySpecFromProto) {
  for (token::Profile profile : token::kAllProfiles) {
    v1::CapabilityRequest request;
    request.set_profile(ProfileToProto(profile));
    // The default is the other profile, so a lost value would show.
    const token::Profile other = profile == token::Profile::kTwilioNode
                                     ? token::Profile::kTwilioPython
                                     : token::Profile::kTwilioNode;
    ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec,
                         CapabilitySpecFromProto(request, other));
    EXPECT_EQ(spec.profile, profile);
  }
}

// ---- ScopesToProto ---------------------------------------------------------

TEST(ScopesToProto, WritesEachKind) {
  const std::vector<token::CapabilityScope> scopes = {
      token::ClientIncomingScope{"alice"},
      token::ClientOutgoingScope{kAppSid, {{"To", "+1555"}, {"A", ""}}, "bob"},
      token::EventStreamScope{{{"f", "v"}}},
  };
  google::protobuf::RepeatedPtrField<v1::CapabilityScope> out;
  ScopesToProto(scopes, &out);
  ASSERT_EQ(out.size(), 3);

  ASSERT_TRUE(out[0].has_client_incoming());
  EXPECT_EQ(out[0].client_incoming().client_name(), "alice");

  ASSERT_TRUE(out[1].has_client_outgoing());
  const v1::ClientOutgoing& outgoing = out[1].client_outgoing();
  EXPECT_EQ(outgoing.application_sid(), kAppSid);
  EXPECT_EQ(outgoing.client_name(), "bob");
  ASSERT_EQ(outgoing.params_size(), 2);
  EXPECT_EQ(outgoing.params(0).key(), "To");
  EXPECT_EQ(outgoing.params(0).value(), "+1555");
  EXPECT_EQ(outgoing.params(1).key(), "A");
  EXPECT_EQ(outgoing.params(1).value(), "");

  ASSERT_TRUE(out[2].has_event_stream());
  ASSERT_EQ(out[2].event_stream().filters_size(), 1);
  EXPECT_EQ(out[2].event_stream().filters(0).key(), "f");
  EXPECT_EQ(out[2].event_stream().filters(0).value(), "v");
}

TEST(ScopesToProto, EmptyEventStreamStillSetsTheKind) {
  const std::vector<token::CapabilityScope> scopes = {
      token::EventStreamScope{}};
  google::protobuf::RepeatedPtrField<v1::CapabilityScope> out;
  ScopesToProto(scopes, &out);
  ASSERT_EQ(out.size(), 1);
  EXPECT_EQ(out[0].scope_case(), v1::CapabilityScope::kEventStream);
}

TEST(ScopesToProto, AppendsToWhatIsThere) {
  google::protobuf::RepeatedPtrField<v1::CapabilityScope> out;
  out.Add()->mutable_event_stream();
  const std::vector<token::CapabilityScope> scopes = {
      token::ClientIncomingScope{"alice"}};
  ScopesToProto(scopes, &out);
  ASSERT_EQ(out.size(), 2);
  EXPECT_TRUE(out[0].has_event_stream());
  EXPECT_TRUE(out[1].has_client_incoming());
}

TEST(ScopesToProto, RoundTripsThroughCapabilitySpecFromProto) {
  const std::vector<token::CapabilityScope> scopes = {
      token::EventStreamScope{{{"z", "1"}, {"a", "2"}}},
      token::ClientOutgoingScope{kAppSid, {{"k2", "v2"}, {"k1", "v1"}}, ""},
      token::ClientIncomingScope{"caf\xC3\xA9"},
      token::ClientOutgoingScope{kAppSid, {}, "named"},
      token::ClientIncomingScope{"second"},
      token::EventStreamScope{},
  };
  v1::CapabilityRequest request;
  ScopesToProto(scopes, request.mutable_scopes());
  ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec, Convert(request));
  EXPECT_EQ(spec.scopes, scopes);
}

// ---- CapabilitySpecInto: converting into a spec that held another -------

// The fields CapabilitySpecInto must set. A field added to CapabilitySpec
// changes its size and fails this until it is set there and added here
// (and to SameSpec and the requests below).
struct KnownCapabilitySpecFields {
  std::string account_sid;
  std::vector<token::CapabilityScope> scopes;
  std::optional<absl::Duration> ttl;
  std::optional<absl::Time> expire_time;
  bool omit_not_before;
  token::Profile profile;
};
static_assert(sizeof(token::CapabilitySpec) ==
              sizeof(KnownCapabilitySpecFields));

void ExpectSameSpec(const token::CapabilitySpec& actual,
                    const token::CapabilitySpec& expected,
                    const std::string& context) {
  EXPECT_EQ(actual.account_sid, expected.account_sid) << context;
  EXPECT_TRUE(actual.scopes == expected.scopes) << context;
  EXPECT_EQ(actual.ttl, expected.ttl) << context;
  EXPECT_EQ(actual.expire_time, expected.expire_time) << context;
  EXPECT_EQ(actual.omit_not_before, expected.omit_not_before) << context;
  EXPECT_EQ(actual.profile, expected.profile) << context;
}

// Requests of every shape: each field set and left out, each scope kind,
// scopes and parameters more and fewer, longer and shorter.
std::vector<v1::CapabilityRequest> RequestsOfEveryShape() {
  std::vector<v1::CapabilityRequest> requests(7);
  // [0] is empty.
  requests[1].set_account_sid(kAccountSid);
  requests[1].add_scopes()->mutable_client_incoming()->set_client_name("alice");

  requests[2].set_account_sid("AC-not-checked-here");
  v1::ClientOutgoing* outgoing =
      requests[2].add_scopes()->mutable_client_outgoing();
  outgoing->set_application_sid(kAppSid);
  outgoing->set_client_name("carol");
  AddParam(outgoing->mutable_params(), "To", "+15551234567");
  AddParam(outgoing->mutable_params(), "CallerId", "client:alice");
  requests[2].mutable_ttl()->set_seconds(600);

  requests[3].set_account_sid(kAccountSid);
  AddParam(requests[3].add_scopes()->mutable_event_stream()->mutable_filters(),
           "level", "error");
  requests[3].mutable_expire_time()->set_seconds(1700003600);
  requests[3].set_profile(v1::PROFILE_TWILIO_NODE);
  requests[3].set_omit_not_before(true);

  requests[4].set_account_sid(kAccountSid);
  requests[4].add_scopes()->mutable_client_outgoing()->set_application_sid(
      "AP1");
  requests[4].add_scopes()->mutable_client_incoming()->set_client_name("bob");
  requests[4].add_scopes()->mutable_event_stream();
  v1::ClientOutgoing* three =
      requests[4].add_scopes()->mutable_client_outgoing();
  three->set_application_sid(kAppSid);
  for (const char* key : {"a", "b", "c"}) {
    AddParam(three->mutable_params(), key, std::string(40, *key));
  }
  requests[4].mutable_ttl()->set_seconds(60);
  requests[4].mutable_expire_time()->set_seconds(1700000060);

  requests[5].set_account_sid(std::string(100, 'A'));
  requests[5].add_scopes()->mutable_client_incoming()->set_client_name(
      std::string(100, 'n'));
  requests[5].set_profile(v1::PROFILE_TWILIO_PYTHON_6);

  v1::EventStream* events = requests[6].add_scopes()->mutable_event_stream();
  for (const char* key : {"x", "y", "z"})
    AddParam(events->mutable_filters(), key, key);
  requests[6].add_scopes()->mutable_client_incoming();
  return requests;
}

TEST(CapabilitySpecInto, GivesWhatAFreshConversionGivesWhateverTheSpecHeld) {
  const std::vector<v1::CapabilityRequest> requests = RequestsOfEveryShape();
  for (size_t before = 0; before < requests.size(); ++before) {
    for (size_t after = 0; after < requests.size(); ++after) {
      ASSERT_OK_AND_ASSIGN(token::CapabilitySpec spec,
                           Convert(requests[before]));
      ASSERT_OK_AND_ASSIGN(const token::CapabilitySpec fresh,
                           Convert(requests[after]));
      ASSERT_TRUE(CapabilitySpecInto(requests[after],
                                     token::Profile::kTwilioPython, &spec)
                      .ok());
      ExpectSameSpec(spec, fresh,
                     absl::StrCat("request ", after, " after ", before));
    }
  }
}

TEST(CapabilitySpecInto, ASpecLeftByAFailureConvertsTheNextRequestWhole) {
  const std::vector<v1::CapabilityRequest> requests = RequestsOfEveryShape();
  v1::CapabilityRequest no_kind = requests[4];
  no_kind.add_scopes();  // A scope with no kind, after four good ones.
  for (const v1::CapabilityRequest& next : requests) {
    token::CapabilitySpec spec;
    EXPECT_THAT(
        CapabilitySpecInto(no_kind, token::Profile::kTwilioPython, &spec),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 HasSubstr("scopes[4]: no scope kind set")));
    ASSERT_OK_AND_ASSIGN(const token::CapabilitySpec fresh, Convert(next));
    ASSERT_TRUE(
        CapabilitySpecInto(next, token::Profile::kTwilioPython, &spec).ok());
    ExpectSameSpec(spec, fresh, next.DebugString());
  }
}

}  // namespace
}  // namespace captoken::convert
