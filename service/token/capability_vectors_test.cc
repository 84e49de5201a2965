// Known-answer tests against the official SDKs: every capability-token case
// and every decoder case in //tests/vectors, byte for byte: node/cc* in the
// node profile, python/py5_cc* in kTwilioPython, py6_cc* in kTwilioPython6
// and py9_cc* in kTwilioPython7.
//
// Each case is rebuilt through the public API (TwilioCapability for signing,
// JwtVerifier for decoding) with the case's frozen clock. A case is expected
// to match the SDK unless the table below says otherwise, with the reason:
// that way a new case added to the vectors is tested by default.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/capability_scope.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/json_value.h"
#include "service/token/jwt_verifier.h"
#include "service/token/twilio_capability.h"
#include "service/token/verification_failure.h"
#include "tests/testing/sdk_cases.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/vectors.h"

namespace captoken::token {
namespace {

using ::captoken::testing::Deviation;
using ::captoken::testing::ExpectSameAsSdk;
using ::captoken::testing::FindSdkCaseException;
using ::captoken::testing::IsNotExpressible;
using ::captoken::testing::IsOk;
using ::captoken::testing::ListVectorIds;
using ::captoken::testing::Member;
using ::captoken::testing::PythonCaseNow;
using ::captoken::testing::PythonCaseProfile;
using ::captoken::testing::ReadVector;
using ::captoken::testing::SdkCaseException;
using ::captoken::testing::SdkCaseExceptions;

const SdkCaseExceptions& Exceptions() {
  static const auto* const kExceptions = new SdkCaseExceptions({
      {"cc07_outgoing_params_non_string_values",
       {Deviation::kNotExpressible,
        "parameter values are strings; the SDK stringified numbers, "
        "booleans, null, arrays and objects JavaScript-style"}},
      {"cc08_outgoing_params_empty_object",
       {Deviation::kNotExpressible,
        "an empty parameter list means no parameters; `params: {}` versus "
        "no params is a JavaScript-object distinction a repeated field "
        "cannot carry"}},
      {"cc18_negative_ttl",
       {Deviation::kWeRefuse,
        "a TTL must be positive (the SDK signed an already-expired token)"}},
      {"cc19_empty_client_name",
       {Deviation::kWeRefuse, "a client name is required"}},
      {"py5_cc19_empty_client_name",
       {Deviation::kWeRefuse, "a client name is required"}},
      {"cc21_undefined_client_name",
       {Deviation::kNotExpressible,
        "JavaScript stringified `undefined` into the name"}},
      {"cc24_app_sid_escaped",
       {Deviation::kWeRefuse,
        "an application SID must be \"AP\" + 32 hex digits"}},
      {"cc29_fractional_ttl",
       {Deviation::kWeRefuse, "a TTL must be a whole number of seconds"}},
      {"cc_err06_ttl_as_string",
       {Deviation::kNotExpressible, "a TTL is a number, not a string"}},
      {"cc_err08_outgoing_params_null",
       {Deviation::kNotExpressible, "a parameter list cannot be null"}},
  });
  return *kExceptions;
}

const SdkCaseException* FindException(absl::string_view id) {
  return FindSdkCaseException(Exceptions(), id);
}

// Parameters as a JSON object in the SDK's iteration order.
std::vector<Param> ParamsOf(const JsonValue& object) {
  std::vector<Param> params;
  for (size_t i = 0; i < object.member_names().size(); ++i) {
    params.push_back(
        {object.member_names()[i], object.member_values()[i].text()});
  }
  return params;
}

// Replays a node case's inputs through TwilioCapability (node profile).
absl::StatusOr<std::string> SignNodeCase(const JsonValue& vector) {
  const JsonValue& inputs = Member(vector, "inputs");
  const JsonValue& options = Member(inputs, "options");
  FixedClock clock(absl::FromUnixMillis(*Member(vector, "now_ms").AsInt64()));
  absl::StatusOr<TwilioCapability> capability = TwilioCapability::Create(
      Member(options, "accountSid").text(), Member(options, "authToken").text(),
      {.profile = Profile::kTwilioNode, .clock = &clock});
  if (!capability.ok()) return capability.status();

  for (const JsonValue& scope : Member(inputs, "scopes").elements()) {
    const std::string& type = Member(scope, "type").text();
    if (type == "IncomingClientScope") {
      capability->AllowClientIncoming(Member(scope, "clientName").text());
    } else if (type == "OutgoingClientScope") {
      const JsonValue& scope_options = Member(scope, "options");
      capability->AllowClientOutgoing(
          ClientOutgoingScope{Member(scope_options, "applicationSid").text(),
                              ParamsOf(Member(scope_options, "params")),
                              Member(scope_options, "clientName").text()});
    } else {
      capability->AllowEventStream(ParamsOf(Member(scope, "filters")));
    }
  }
  // The SDK treats a missing or zero ttl as its default.
  double ttl = 0;
  const JsonValue& ttl_value = Member(options, "ttl");
  if (ttl_value.type() == JsonValue::Type::kNumber) {
    EXPECT_TRUE(absl::SimpleAtod(ttl_value.text(), &ttl));
  }
  if (ttl == 0) return capability->Generate();
  return capability->Generate(absl::Seconds(ttl));
}

// Replays a python case's calls through TwilioCapability, in the profile
// of the case's SDK major: 5.x's TwilioCapability(...).generate(expires=)
// or 6.x/9.x's ClientCapabilityToken(..., ttl=, nbf=).to_jwt().
absl::StatusOr<std::string> SignPythonCase(absl::string_view id,
                                           const JsonValue& vector) {
  const JsonValue& inputs = Member(vector, "inputs");
  FixedClock clock(PythonCaseNow(vector));
  TwilioCapability::Options options{.profile = PythonCaseProfile(id),
                                    .clock = &clock};
  // The 6+ constructor's keywords: nbf=None writes no nbf (a number would
  // be an nbf of its own, which no case asks for); ttl= is the lifetime.
  const JsonValue& ctor = Member(inputs, "ctor");
  if (ctor.Find("nbf") != nullptr) {
    EXPECT_TRUE(Member(ctor, "nbf").is_null()) << "no replay for an nbf";
    options.omit_not_before = true;
  }
  std::optional<int64_t> ttl = Member(ctor, "ttl").AsInt64();
  if (!ttl.has_value()) ttl = Member(inputs, "expires").AsInt64();
  absl::StatusOr<TwilioCapability> capability = TwilioCapability::Create(
      "AC0123456789abcdef0123456789abcdef", "f0e1d2c3b4a5968778695a4b3c2d1e0f",
      std::move(options));
  if (!capability.ok()) return capability.status();

  for (const JsonValue& call : Member(inputs, "calls").elements()) {
    const std::string& method = call.elements()[0].text();
    const std::vector<JsonValue>& args = call.elements()[1].elements();
    const JsonValue& kwargs = call.elements()[2];
    if (method == "allow_client_incoming") {
      capability->AllowClientIncoming(args[0].text());
    } else if (method == "allow_client_outgoing") {
      capability->AllowClientOutgoing(args[0].text(), ParamsOf(kwargs));
    } else {
      EXPECT_EQ(method, "allow_event_stream");
      capability->AllowEventStream(ParamsOf(kwargs));
    }
  }
  if (!ttl.has_value()) return capability->Generate();
  return capability->Generate(absl::Seconds(*ttl));
}

class NodeCapabilityVectorTest : public ::testing::TestWithParam<std::string> {
};

TEST_P(NodeCapabilityVectorTest, MatchesTwilioNode) {
  ASSERT_OK_AND_ASSIGN(JsonValue vector, ReadVector("node", GetParam()));
  const SdkCaseException* exception = FindException(GetParam());
  if (IsNotExpressible(exception)) GTEST_SKIP() << exception->reason;
  ExpectSameAsSdk(vector, SignNodeCase(vector), exception);
}

INSTANTIATE_TEST_SUITE_P(AllCases, NodeCapabilityVectorTest,
                         ::testing::ValuesIn(ListVectorIds("node", "cc")),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

class PythonCapabilityVectorTest
    : public ::testing::TestWithParam<std::string> {};

TEST_P(PythonCapabilityVectorTest, MatchesTwilioPythonOfItsMajor) {
  ASSERT_OK_AND_ASSIGN(JsonValue vector, ReadVector("python", GetParam()));
  ExpectSameAsSdk(vector, SignPythonCase(GetParam(), vector),
                  FindException(GetParam()));
}

std::vector<std::string> PythonCases() {
  std::vector<std::string> ids;
  for (absl::string_view prefix : {"py5_cc", "py6_cc", "py9_cc"}) {
    for (std::string& id : ListVectorIds("python", prefix)) {
      ids.push_back(std::move(id));
    }
  }
  return ids;
}

INSTANTIATE_TEST_SUITE_P(AllCases, PythonCapabilityVectorTest,
                         ::testing::ValuesIn(PythonCases()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

// A request for a later major differs from its 5.x twin only in the
// profile: the same calls give each major's bytes.
TEST(CapabilityVectors, EachPythonMajorsTwinCaseDiffersOnlyInProfile) {
  for (absl::string_view name :
       {"cc01_incoming_only", "cc04_outgoing_params_simple",
        "cc05_outgoing_params_special_chars", "cc10_incoming_then_outgoing"}) {
    ASSERT_OK_AND_ASSIGN(JsonValue py5,
                         ReadVector("python", absl::StrCat("py5_", name)));
    for (absl::string_view major : {"py6_", "py9_"}) {
      const std::string id = absl::StrCat(major, name);
      SCOPED_TRACE(id);
      ASSERT_OK_AND_ASSIGN(JsonValue later, ReadVector("python", id));
      EXPECT_EQ(Member(later, "inputs"), Member(py5, "inputs"));
      // The 5.x replay, with only the profile changed.
      ExpectSameAsSdk(later, SignPythonCase(id, py5), nullptr);
    }
  }
}

// The vectors must be there: an empty folder would otherwise pass.
TEST(CapabilityVectors, AllCaseFilesArePresent) {
  EXPECT_GE(ListVectorIds("node", "cc").size(), 28u);
  EXPECT_GE(ListVectorIds("python", "py5_cc").size(), 10u);
  EXPECT_GE(ListVectorIds("python", "py6_cc").size(), 6u);
  EXPECT_GE(ListVectorIds("python", "py9_cc").size(), 5u);
  EXPECT_GE(ListVectorIds("python", "py6_decode").size(), 7u);
  EXPECT_GE(ListVectorIds("python", "py9_decode").size(), 7u);
}

// ---- decoders -------------------------------------------------------------
//
// We verify as twilio-python 9 does: exp <= now is expired, nbf == now is
// valid, only HS256. twilio-python 6 differed on two cases, listed here.

const absl::flat_hash_map<absl::string_view, absl::string_view>&
Python6Differences() {
  static const auto* const kDifferences =
      new absl::flat_hash_map<absl::string_view, absl::string_view>({
          {"py6_decode03_exp_equal_now",
           "PyJWT 1 accepted exp == now; we (like twilio-python 9 and "
           "jsonwebtoken) treat it as expired"},
          {"py6_decode07_hs512_rejected",
           "PyJWT 1 accepted any HMAC algorithm; we accept only HS256"},
      });
  return *kDifferences;
}

VerificationFailure ExpectedFailure(absl::string_view sdk_message) {
  if (absl::StrContains(sdk_message, "expired")) {
    return VerificationFailure::kExpired;
  }
  if (absl::StrContains(sdk_message, "not yet valid")) {
    return VerificationFailure::kNotYetValid;
  }
  // "Signature verification failed", and "Incorrect decoding algorithm
  // HS512": we check the HS256 MAC before reading the header, so a token
  // signed with another algorithm fails there.
  return VerificationFailure::kBadSignature;
}

class DecodeVectorTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DecodeVectorTest, VerifiesLikeTwilioPython9) {
  ASSERT_OK_AND_ASSIGN(JsonValue vector, ReadVector("python", GetParam()));
  const JsonValue& from_jwt = Member(vector, "from_jwt");
  const std::string& verify_at = Member(from_jwt, "verify_at").text();
  double verify_at_seconds = 0;
  ASSERT_TRUE(absl::SimpleAtod(verify_at, &verify_at_seconds));
  FixedClock clock(
      absl::FromUnixNanos(static_cast<int64_t>(verify_at_seconds * 1e9 + 0.5)));
  ASSERT_OK_AND_ASSIGN(JwtVerifier verifier,
                       JwtVerifier::Create({.clock = &clock}));
  ASSERT_OK_AND_ASSIGN(
      HmacSha256Key key,
      HmacSha256Key::Create(Member(from_jwt, "key_used").text()));
  const HmacSha256Key* keys[] = {&key};

  absl::StatusOr<VerifiedJwt> ours =
      verifier.Verify(Member(vector, "token").text(), keys);

  bool sdk_accepted = Member(from_jwt, "outcome").text() == "accepted";
  VerificationFailure expected = VerificationFailure::kNone;
  if (auto it = Python6Differences().find(GetParam());
      it != Python6Differences().end()) {
    SCOPED_TRACE(it->second);
    ASSERT_TRUE(sdk_accepted);
    sdk_accepted = false;
    expected = absl::StrContains(GetParam(), "hs512")
                   ? VerificationFailure::kBadSignature
                   : VerificationFailure::kExpired;
  } else if (!sdk_accepted) {
    expected = ExpectedFailure(Member(from_jwt, "error_message").text());
  }

  if (sdk_accepted) {
    ASSERT_THAT(ours, IsOk());
    const JsonValue& payload = Member(from_jwt, "payload");
    EXPECT_EQ(absl::ToUnixSeconds(ours->times.expire_time),
              *Member(payload, "exp").AsInt64());
    if (ours->times.not_before.has_value()) {
      EXPECT_EQ(absl::ToUnixSeconds(*ours->times.not_before),
                *Member(payload, "nbf").AsInt64());
    }
  } else {
    ASSERT_FALSE(ours.ok());
    EXPECT_EQ(VerificationFailureOf(ours.status()), expected) << ours.status();
  }
}

std::vector<std::string> DecodeCases() {
  std::vector<std::string> ids = ListVectorIds("python", "py6_decode");
  for (std::string& id : ListVectorIds("python", "py9_decode")) {
    ids.push_back(std::move(id));
  }
  return ids;
}

INSTANTIATE_TEST_SUITE_P(AllCases, DecodeVectorTest,
                         ::testing::ValuesIn(DecodeCases()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace captoken::token
