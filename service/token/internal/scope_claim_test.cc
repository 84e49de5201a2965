// Tests for scope_claim.h: the scope claim rendered exactly as twilio-node
// (spec §2.3) and twilio-python 5.x (spec §2.4) write it, and parsed back.
//
// Expected strings are derived by hand from the spec's rules; where a vector
// exists (cc05, cc09, cc14, py5_cc04, ...) its string is the one used.

#include "service/token/internal/scope_claim.h"

#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/capability_scope.h"
#include "service/token/internal/url_encoding.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token::internal {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr absl::string_view kApp = "AP89abcdef0123456789abcdef01234567";
constexpr absl::string_view kOtherApp = "APffffffffffffffffffffffffffffffff";

// The cc05 / py5_cc05 parameters: every character class that matters.
std::vector<Param> SpecialParams() {
  return {{"first name", "John Smith"},
          {"q", "a&b=c"},
          {"plus", "1+1"},
          {"slash", "/a/b"},
          {"pct", "100%"},
          {"qh", "x?y#z"},
          {"unreserved", "-_.!~*'()"},
          {"quote", "\"hi\""}};
}

ClientOutgoingScope Outgoing(std::vector<Param> params = {},
                             std::string client_name = "") {
  return ClientOutgoingScope{std::string(kApp), std::move(params),
                             std::move(client_name)};
}

absl::StatusOr<std::string> Render(Profile profile,
                                   const std::vector<CapabilityScope>& scopes) {
  std::string claim;
  absl::Status status = AppendScopeClaim(profile, scopes, &claim);
  if (!status.ok()) return status;
  return claim;
}

std::string Node(const std::vector<CapabilityScope>& scopes) {
  absl::StatusOr<std::string> claim = Render(Profile::kTwilioNode, scopes);
  EXPECT_THAT(claim, IsOk());
  return claim.ok() ? *claim : "";
}

std::string Python(const std::vector<CapabilityScope>& scopes) {
  absl::StatusOr<std::string> claim = Render(Profile::kTwilioPython, scopes);
  EXPECT_THAT(claim, IsOk());
  return claim.ok() ? *claim : "";
}

// ---- twilio-node ----------------------------------------------------------

TEST(NodeScopeClaim, Incoming) {
  EXPECT_EQ(Node({ClientIncomingScope{"alice"}}),
            "scope:client:incoming?clientName=alice");
}

TEST(NodeScopeClaim, IncomingNameIsEncodedWithEncodeUriComponent) {
  EXPECT_EQ(
      Node({ClientIncomingScope{"Jos\xC3\xA9 O'Neil & co+"}}),
      "scope:client:incoming?clientName=Jos%C3%A9%20O'Neil%20%26%20co%2B");
}

TEST(NodeScopeClaim, OutgoingWithoutClientNameOrParams) {
  EXPECT_EQ(Node({Outgoing()}),
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567");
}

TEST(NodeScopeClaim, OutgoingWithClientName) {
  EXPECT_EQ(Node({Outgoing({}, "bob")}),
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567"
            "&clientName=bob");
}

TEST(NodeScopeClaim, OutgoingWorkedExampleFromTheSpec) {
  // Spec §2.7 (vector cc09): appSid, clientName, appParams; params encoded
  // twice.
  EXPECT_EQ(Node({Outgoing({{"To", "+15551234567"}, {"CallerId", "client:bob"}},
                           "bob")}),
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567"
            "&clientName=bob"
            "&appParams=To%3D%252B15551234567%26CallerId%3Dclient%253Abob");
}

TEST(NodeScopeClaim, OutgoingParamsWithSpecialCharacters) {
  // Vector cc05.
  EXPECT_EQ(Node({Outgoing(SpecialParams())}),
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567"
            "&appParams=first%2520name%3DJohn%2520Smith%26q%3Da%2526b%253Dc"
            "%26plus%3D1%252B1%26slash%3D%252Fa%252Fb%26pct%3D100%2525"
            "%26qh%3Dx%253Fy%2523z%26unreserved%3D-_.!~*'()"
            "%26quote%3D%2522hi%2522");
}

TEST(NodeScopeClaim, OutgoingParamsWithNonAsciiAndEmptyValues) {
  EXPECT_EQ(Node({Outgoing({{"name", "Jos\xC3\xA9"}, {"empty", ""}})}),
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567"
            "&appParams=name%3DJos%25C3%25A9%26empty%3D");
}

TEST(NodeScopeClaim, ParamsKeepTheCallersOrder) {
  EXPECT_EQ(Node({Outgoing({{"b", "2"}, {"a", "1"}, {"10", "x"}, {"2", "y"}})}),
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567"
            "&appParams=b%3D2%26a%3D1%2610%3Dx%262%3Dy");
}

TEST(NodeScopeClaim, EventStreamWithoutFiltersHasALiteralPath) {
  EXPECT_EQ(Node({EventStreamScope{}}),
            "scope:stream:subscribe?path=/2010-04-01/Events");
}

TEST(NodeScopeClaim, EventStreamFiltersGoUnderAppParams) {
  // Vector cc14.
  EXPECT_EQ(
      Node({EventStreamScope{{{"foobar", "hey"}, {"call sid", "CA 1&2"}}}}),
      "scope:stream:subscribe?path=/2010-04-01/Events"
      "&appParams=foobar%3Dhey%26call%2520sid%3DCA%25201%25262");
}

TEST(NodeScopeClaim, ScopesAreJoinedBySpacesInRequestOrder) {
  // Vectors cc10 and cc11: no clientName is copied into the outgoing scope.
  EXPECT_EQ(Node({ClientIncomingScope{"alice"}, Outgoing()}),
            "scope:client:incoming?clientName=alice "
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567");
  EXPECT_EQ(Node({Outgoing(), ClientIncomingScope{"alice"}}),
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567 "
            "scope:client:incoming?clientName=alice");
}

TEST(NodeScopeClaim, RepeatsAreKept) {
  // Vector cc23.
  EXPECT_EQ(Node({ClientIncomingScope{"alice"}, ClientIncomingScope{"alice"},
                  EventStreamScope{}, ClientIncomingScope{"bob"}}),
            "scope:client:incoming?clientName=alice "
            "scope:client:incoming?clientName=alice "
            "scope:stream:subscribe?path=/2010-04-01/Events "
            "scope:client:incoming?clientName=bob");
}

TEST(NodeScopeClaim, DifferentIncomingAndOutgoingNamesAreBothWritten) {
  EXPECT_EQ(Node({ClientIncomingScope{"alice"}, Outgoing({}, "carol")}),
            "scope:client:incoming?clientName=alice "
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567"
            "&clientName=carol");
}

TEST(NodeScopeClaim, NoScopesIsAnEmptyClaim) { EXPECT_EQ(Node({}), ""); }

// ---- twilio-python 5.x ----------------------------------------------------

TEST(PythonScopeClaim, Incoming) {
  EXPECT_EQ(Python({ClientIncomingScope{"alice"}}),
            "scope:client:incoming?clientName=alice");
}

TEST(PythonScopeClaim, IncomingNameIsEncodedWithQuotePlus) {
  EXPECT_EQ(Python({ClientIncomingScope{"Jos\xC3\xA9 O'Neil & co+"}}),
            "scope:client:incoming?clientName=Jos%C3%A9+O%27Neil+%26+co%2B");
}

TEST(PythonScopeClaim, OutgoingWithoutParams) {
  EXPECT_EQ(Python({Outgoing()}),
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567");
}

TEST(PythonScopeClaim, OutgoingParamsComeFirstInSortedKeyOrder) {
  // Vector py5_cc04: appParams < appSid.
  EXPECT_EQ(Python({Outgoing({{"foo", "bar"}, {"baz", "qux"}})}),
            "scope:client:outgoing?appParams=foo%3Dbar%26baz%3Dqux"
            "&appSid=AP89abcdef0123456789abcdef01234567");
}

TEST(PythonScopeClaim, OutgoingParamsWithSpecialCharacters) {
  // Vector py5_cc05: a space is '+' inside, then %2B outside.
  EXPECT_EQ(Python({Outgoing(SpecialParams())}),
            "scope:client:outgoing?appParams=first%2Bname%3DJohn%2BSmith"
            "%26q%3Da%2526b%253Dc%26plus%3D1%252B1%26slash%3D%252Fa%252Fb"
            "%26pct%3D100%2525%26qh%3Dx%253Fy%2523z"
            "%26unreserved%3D-_.%2521~%252A%2527%2528%2529"
            "%26quote%3D%2522hi%2522"
            "&appSid=AP89abcdef0123456789abcdef01234567");
}

TEST(PythonScopeClaim, OutgoingParamsWithNonAscii) {
  EXPECT_EQ(Python({Outgoing({{"name", "Jos\xC3\xA9"}})}),
            "scope:client:outgoing?appParams=name%3DJos%25C3%25A9"
            "&appSid=AP89abcdef0123456789abcdef01234567");
}

TEST(PythonScopeClaim, EventStreamWithoutFiltersHasAnEncodedPath) {
  // Vector py5_cc13.
  EXPECT_EQ(Python({EventStreamScope{}}),
            "scope:stream:subscribe?path=%2F2010-04-01%2FEvents");
}

TEST(PythonScopeClaim, EventStreamFiltersGoUnderParamsBeforePath) {
  // Vector py5_cc14.
  EXPECT_EQ(
      Python({EventStreamScope{{{"foobar", "hey"}, {"call sid", "CA 1&2"}}}}),
      "scope:stream:subscribe?params=foobar%3Dhey%26call%2Bsid%3DCA%2B1%25262"
      "&path=%2F2010-04-01%2FEvents");
}

TEST(PythonScopeClaim, IncomingNameIsCopiedIntoALaterOutgoingScope) {
  // Vector py5_cc10.
  EXPECT_EQ(Python({ClientIncomingScope{"alice"}, Outgoing()}),
            "scope:client:incoming?clientName=alice "
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567"
            "&clientName=alice");
}

TEST(PythonScopeClaim, IncomingNameIsCopiedIntoAnEarlierOutgoingScope) {
  EXPECT_EQ(Python({Outgoing(), ClientIncomingScope{"alice"}}),
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567"
            "&clientName=alice "
            "scope:client:incoming?clientName=alice");
}

TEST(PythonScopeClaim, CopiedNameComesAfterAppParamsAndAppSid) {
  EXPECT_EQ(Python({Outgoing({{"To", "+1555"}}), EventStreamScope{},
                    ClientIncomingScope{"John Smith"}}),
            "scope:client:outgoing?appParams=To%3D%252B1555"
            "&appSid=AP89abcdef0123456789abcdef01234567&clientName=John+Smith "
            "scope:stream:subscribe?path=%2F2010-04-01%2FEvents "
            "scope:client:incoming?clientName=John+Smith");
}

TEST(PythonScopeClaim, OutgoingClientNameWithoutIncomingIsWritten) {
  EXPECT_EQ(Python({Outgoing({}, "carol")}),
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567"
            "&clientName=carol");
}

TEST(PythonScopeClaim, SameOutgoingAndIncomingNameIsFine) {
  EXPECT_EQ(Python({ClientIncomingScope{"alice"}, Outgoing({}, "alice")}),
            "scope:client:incoming?clientName=alice "
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567"
            "&clientName=alice");
}

TEST(PythonScopeClaim, ALaterScopeReplacesItsKindInTheEarlierPosition) {
  EXPECT_EQ(Python({ClientIncomingScope{"alice"}, Outgoing(),
                    ClientIncomingScope{"bob"}}),
            "scope:client:incoming?clientName=bob "
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567"
            "&clientName=bob");
  EXPECT_EQ(
      Python({Outgoing(), EventStreamScope{{{"a", "1"}}},
              ClientOutgoingScope{std::string(kOtherApp), {{"x", "y"}}, ""},
              EventStreamScope{}}),
      "scope:client:outgoing?appParams=x%3Dy"
      "&appSid=APffffffffffffffffffffffffffffffff "
      "scope:stream:subscribe?path=%2F2010-04-01%2FEvents");
}

TEST(PythonScopeClaim, AtMostOneScopePerKind) {
  EXPECT_EQ(Python({ClientIncomingScope{"a"}, ClientIncomingScope{"b"},
                    ClientIncomingScope{"c"}}),
            "scope:client:incoming?clientName=c");
}

TEST(PythonScopeClaim, NoScopesIsAnEmptyClaim) { EXPECT_EQ(Python({}), ""); }

// The signer writes the claim into the token's JSON without escaping it, so
// whatever the scopes hold (even text that validation would refuse), the
// claim must be printable ASCII without '"' or '\\'.
TEST(ScopeClaim, IsTextJsonWritesUnchangedInBothProfiles) {
  std::string every_byte;
  for (int byte = 0; byte < 256; ++byte) every_byte.push_back(byte);
  const std::vector<CapabilityScope> scopes = {
      ClientIncomingScope{every_byte},
      ClientOutgoingScope{every_byte, {{every_byte, every_byte}}, ""},
      EventStreamScope{{{every_byte, "\"\\"}}},
  };
  for (Profile profile : {Profile::kTwilioNode, Profile::kTwilioPython}) {
    ASSERT_OK_AND_ASSIGN(std::string claim, Render(profile, scopes));
    for (char c : claim) {
      EXPECT_TRUE(c >= 0x20 && c < 0x7F && c != '"' && c != '\\')
          << ProfileName(profile) << " " << int{c};
    }
  }
}

TEST(PythonScopeClaim, ConflictingOutgoingClientNameIsRefused) {
  absl::StatusOr<std::string> claim =
      Render(Profile::kTwilioPython,
             {ClientIncomingScope{"alicesecret"}, Outgoing({}, "carolsecret")});
  EXPECT_THAT(claim,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("scopes[1].client_outgoing.client_name: "
                                 "differs from the incoming scope's client "
                                 "name")));
  EXPECT_THAT(std::string(claim.status().message()), Not(HasSubstr("secret")));
}

TEST(PythonScopeClaim, ConflictNamesTheOutgoingScopeThatWins) {
  EXPECT_THAT(Render(Profile::kTwilioPython,
                     {Outgoing(), ClientIncomingScope{"alice"},
                      EventStreamScope{}, Outgoing({}, "carol")}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("scopes[3].client_outgoing.client_name")));
}

TEST(PythonScopeClaim, OnlyTheScopesThatWinAreCompared) {
  // The later incoming scope agrees with the outgoing one.
  EXPECT_EQ(Python({ClientIncomingScope{"alice"}, Outgoing({}, "bob"),
                    ClientIncomingScope{"bob"}}),
            "scope:client:incoming?clientName=bob "
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567"
            "&clientName=bob");
  // The later outgoing scope has no name of its own.
  EXPECT_EQ(
      Python({ClientIncomingScope{"alice"}, Outgoing({}, "bob"), Outgoing()}),
      "scope:client:incoming?clientName=alice "
      "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567"
      "&clientName=alice");
}

TEST(AppendScopeClaim, AppendsToWhatIsAlreadyThere) {
  std::string claim = "prefix|";
  ASSERT_THAT(AppendScopeClaim(Profile::kTwilioNode,
                               {ClientIncomingScope{"alice"}}, &claim),
              IsOk());
  EXPECT_EQ(claim, "prefix|scope:client:incoming?clientName=alice");
}

// ---- ParseScopeClaim ------------------------------------------------------

std::vector<std::vector<CapabilityScope>> ScopeLists() {
  return {
      {},
      {ClientIncomingScope{"alice"}},
      {ClientIncomingScope{"John Smith"}},
      {ClientIncomingScope{"Jos\xC3\xA9 \xF0\x9F\x98\x80 & co=+%"}},
      {Outgoing()},
      {Outgoing({}, "bob")},
      {Outgoing({{"To", "+15551234567"}, {"CallerId", "client:bob"}}, "bob")},
      {Outgoing(SpecialParams())},
      {Outgoing({{"a b", "c d"},
                 {"amp&", "x&y"},
                 {"eq=", "1=2"},
                 {"plus+", "1+1"},
                 {"pct%", "100%25"},
                 {"caf\xC3\xA9", "\xE2\x82\xAC"},
                 {"empty", ""}})},
      {EventStreamScope{}},
      {EventStreamScope{{{"foobar", "hey"}, {"call sid", "CA 1&2"}}}},
      {ClientIncomingScope{"alice"}, Outgoing({{"k", "v v"}}, "alice"),
       EventStreamScope{{{"f", "a+b c"}}}},
      {EventStreamScope{}, Outgoing({{"k", "v"}}, "bob"),
       ClientIncomingScope{"bob"}},
  };
}

TEST(ParseScopeClaim, RoundTripsEveryNodeClaim) {
  for (const std::vector<CapabilityScope>& scopes : ScopeLists()) {
    const std::string claim = Node(scopes);
    SCOPED_TRACE(claim);
    ASSERT_OK_AND_ASSIGN(std::vector<CapabilityScope> parsed,
                         ParseScopeClaim(claim));
    EXPECT_EQ(parsed, scopes);
  }
}

TEST(ParseScopeClaim, RoundTripsNodeRepeats) {
  const std::vector<CapabilityScope> scopes = {
      ClientIncomingScope{"a"}, ClientIncomingScope{"a"}, Outgoing(),
      Outgoing({{"x", "1"}})};
  ASSERT_OK_AND_ASSIGN(std::vector<CapabilityScope> parsed,
                       ParseScopeClaim(Node(scopes)));
  EXPECT_EQ(parsed, scopes);
}

TEST(ParseScopeClaim, RoundTripsEveryPythonClaim) {
  for (const std::vector<CapabilityScope>& scopes : ScopeLists()) {
    const std::string claim = Python(scopes);
    SCOPED_TRACE(claim);
    ASSERT_OK_AND_ASSIGN(std::vector<CapabilityScope> parsed,
                         ParseScopeClaim(claim));
    // Each list has at most one scope per kind and consistent names, so
    // python's rendering says the same as the list.
    EXPECT_EQ(parsed, scopes);
  }
}

TEST(ParseScopeClaim, PythonClaimsCarryPythonSemantics) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<CapabilityScope> parsed,
      ParseScopeClaim(
          Python({ClientIncomingScope{"alice"}, Outgoing({{"a", "1"}}),
                  EventStreamScope{}, ClientIncomingScope{"bob"}})));
  EXPECT_THAT(parsed,
              ElementsAre(CapabilityScope(ClientIncomingScope{"bob"}),
                          CapabilityScope(Outgoing({{"a", "1"}}, "bob")),
                          CapabilityScope(EventStreamScope{})));
}

TEST(ParseScopeClaim, ReadsTheSpecWorkedExample) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<CapabilityScope> parsed,
      ParseScopeClaim(
          "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567"
          "&clientName=bob"
          "&appParams=To%3D%252B15551234567%26CallerId%3Dclient%253Abob"));
  EXPECT_THAT(
      parsed,
      ElementsAre(CapabilityScope(Outgoing(
          {{"To", "+15551234567"}, {"CallerId", "client:bob"}}, "bob"))));
}

TEST(ParseScopeClaim, ParameterOrderInTheQueryDoesNotMatter) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<CapabilityScope> parsed,
      ParseScopeClaim(
          "scope:client:outgoing?clientName=bob&appParams=a%3D1"
          "&appSid=AP89abcdef0123456789abcdef01234567 "
          "scope:stream:subscribe?appParams=f%3D2&path=/2010-04-01/Events"));
  EXPECT_THAT(parsed,
              ElementsAre(CapabilityScope(Outgoing({{"a", "1"}}, "bob")),
                          CapabilityScope(EventStreamScope{{{"f", "2"}}})));
}

TEST(ParseScopeClaim, ReadsEitherSpellingOfTheEventStream) {
  const EventStreamScope expected{{{"a", "1"}}};
  for (absl::string_view claim :
       {"scope:stream:subscribe?path=/2010-04-01/Events&appParams=a%3D1",
        "scope:stream:subscribe?params=a%3D1&path=%2F2010-04-01%2FEvents",
        "scope:stream:subscribe?path=%2F2010-04-01%2FEvents&params=a%3D1",
        "scope:stream:subscribe?path=/2010-04-01/Events&params=a%3D1"}) {
    SCOPED_TRACE(claim);
    ASSERT_OK_AND_ASSIGN(std::vector<CapabilityScope> parsed,
                         ParseScopeClaim(claim));
    EXPECT_THAT(parsed, ElementsAre(CapabilityScope(expected)));
  }
}

TEST(ParseScopeClaim, EmptyParamListsAreEmpty) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<CapabilityScope> parsed,
      ParseScopeClaim("scope:client:outgoing?appSid=AP1&appParams="));
  EXPECT_THAT(parsed,
              ElementsAre(CapabilityScope(ClientOutgoingScope{"AP1", {}, ""})));
}

TEST(ParseScopeClaim, EmptyClaimHasNoScopes) {
  ASSERT_OK_AND_ASSIGN(std::vector<CapabilityScope> parsed,
                       ParseScopeClaim(""));
  EXPECT_THAT(parsed, IsEmpty());
}

struct MalformedClaim {
  const char* name;
  std::string claim;
  const char* problem;
};

std::vector<MalformedClaim> MalformedClaims() {
  const std::string app = absl::StrCat("appSid=", kApp);
  const std::string events = "scope:stream:subscribe?path=/2010-04-01/Events";
  return {
      {"unknown scope", "scope:client:dial?x=1", "unknown scope"},
      {"unknown service", "scope:voice:incoming?clientName=a", "unknown scope"},
      {"upper-case scope", "SCOPE:CLIENT:INCOMING?clientName=a",
       "unknown scope"},
      {"not a scope", "hello", "unknown scope"},
      {"two spaces", "scope:client:incoming?clientName=a  " + events,
       "unknown scope"},
      {"leading space", " scope:client:incoming?clientName=a", "unknown scope"},
      {"trailing space", "scope:client:incoming?clientName=a ",
       "unknown scope"},
      {"incoming without query", "scope:client:incoming",
       "incoming without clientName"},
      {"incoming with empty query", "scope:client:incoming?",
       "incoming without clientName"},
      {"incoming with wrong-case key", "scope:client:incoming?ClientName=a",
       "unknown parameter"},
      {"incoming with unknown parameter",
       "scope:client:incoming?clientName=a&foo=b", "unknown parameter"},
      {"incoming with appSid", "scope:client:incoming?clientName=a&" + app,
       "unknown parameter"},
      {"incoming with repeated clientName",
       "scope:client:incoming?clientName=a&clientName=b", "repeated parameter"},
      {"incoming pair without equals", "scope:client:incoming?clientName",
       "without '='"},
      {"outgoing without appSid", "scope:client:outgoing?clientName=a",
       "outgoing without appSid"},
      {"outgoing without query", "scope:client:outgoing",
       "outgoing without appSid"},
      {"outgoing with repeated appSid",
       "scope:client:outgoing?" + app + "&" + app, "repeated parameter"},
      {"outgoing with repeated appParams",
       "scope:client:outgoing?" + app + "&appParams=a%3D1&appParams=b%3D2",
       "repeated parameter"},
      {"outgoing with python events key",
       "scope:client:outgoing?" + app + "&params=a%3D1", "unknown parameter"},
      {"outgoing with unknown parameter",
       "scope:client:outgoing?" + app + "&foo=bar", "unknown parameter"},
      {"events without path", "scope:stream:subscribe", "without its path"},
      {"events with another path",
       "scope:stream:subscribe?path=/2010-04-01/Calls", "without its path"},
      {"events with an empty path",
       "scope:stream:subscribe?path=", "without its path"},
      {"events with both filter lists",
       events + "&appParams=a%3D1&params=b%3D2", "two filter lists"},
      {"events with unknown parameter", events + "&foo=1", "unknown parameter"},
      {"events with repeated path", events + "&path=/2010-04-01/Events",
       "repeated parameter"},
      {"bad percent escape", "scope:client:incoming?clientName=%ZZ",
       "bad percent-escape"},
      {"truncated percent escape", "scope:client:incoming?clientName=a%2",
       "bad percent-escape"},
      {"percent escape that is not UTF-8",
       "scope:client:incoming?clientName=%FF", "not UTF-8"},
      {"bad escape inside appParams",
       "scope:client:outgoing?" + app + "&appParams=a%3D%25ZZ",
       "bad percent-escape"},
      {"appParams pair without equals",
       "scope:client:outgoing?" + app + "&appParams=novalue", "without '='"},
      {"appParams with empty key",
       "scope:client:outgoing?" + app + "&appParams=%3D1", "empty query key"},
      {"event filter pair without equals", events + "&appParams=novalue",
       "without '='"},
      {"one bad scope among good ones",
       "scope:client:incoming?clientName=a scope:client:dial " + events,
       "unknown scope"},
  };
}

TEST(ParseScopeClaim, RefusesEveryMalformedClaim) {
  for (const MalformedClaim& malformed : MalformedClaims()) {
    SCOPED_TRACE(malformed.name);
    absl::StatusOr<std::vector<CapabilityScope>> parsed =
        ParseScopeClaim(malformed.claim);
    EXPECT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr(malformed.problem)));
    EXPECT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("scope claim: ")));
  }
}

TEST(ParseScopeClaim, MessagesNeverQuoteTheClaim) {
  for (absl::string_view claim :
       {"scope:client:incoming?clientName=secretname&foo=secretvalue",
        "scope:client:incoming?clientName=secretname&clientName=secretname",
        "scope:client:incoming?clientName=secret%ZZ",
        "scope:secret:incoming?clientName=a",
        "scope:client:outgoing?appSid=APsecret&appParams=secret"}) {
    absl::StatusOr<std::vector<CapabilityScope>> parsed =
        ParseScopeClaim(claim);
    ASSERT_FALSE(parsed.ok()) << claim;
    EXPECT_THAT(std::string(parsed.status().message()),
                Not(HasSubstr("secret")));
  }
}

// ---- parameter lists -------------------------------------------------------

// What a parameter list means, read with the general query functions:
// decode the whole list, then ForEachQueryPair over it. ParseScopeClaim
// reads lists with the same functions, in one pass per side; these tests
// hold it to this reading, errors included.
absl::StatusOr<std::vector<Param>> ReferenceParamList(
    absl::string_view encoded) {
  absl::StatusOr<std::string> list = FormDecode(encoded);
  if (!list.ok()) return list.status();
  std::vector<Param> params;
  absl::Status status = ForEachQueryPair(
      *list, [&](absl::string_view key, absl::string_view value) {
        params.push_back({std::string(key), std::string(value)});
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return params;
}

// The list read as an outgoing scope's appParams.
absl::StatusOr<std::vector<Param>> ParsedParamList(absl::string_view encoded) {
  absl::StatusOr<std::vector<CapabilityScope>> scopes =
      ParseScopeClaim(absl::StrCat("scope:client:outgoing?appSid=", kApp,
                                   "&appParams=", encoded));
  if (!scopes.ok()) return scopes.status();
  return std::get<ClientOutgoingScope>(scopes->front()).params;
}

void ExpectReferenceReading(absl::string_view encoded) {
  absl::StatusOr<std::vector<Param>> expected = ReferenceParamList(encoded);
  absl::StatusOr<std::vector<Param>> parsed = ParsedParamList(encoded);
  if (expected.ok()) {
    ASSERT_THAT(parsed, IsOk()) << encoded;
    ASSERT_EQ(*parsed, *expected) << encoded;
  } else {
    ASSERT_FALSE(parsed.ok()) << encoded;
    ASSERT_EQ(parsed.status().message(),
              absl::StrCat("scope claim: ", expected.status().message()))
        << encoded;
  }
}

// A list as a profile writes it (AppendNodeParams, AppendPythonParams).
std::string EncodeList(const std::vector<Param>& params, bool python) {
  std::string encoded;
  for (size_t i = 0; i < params.size(); ++i) {
    if (i > 0) encoded += "%26";
    if (python) {
      AppendQuotePlusTwice(params[i].key, &encoded);
      encoded += "%3D";
      AppendQuotePlusTwice(params[i].value, &encoded);
    } else {
      AppendUriComponentTwice(params[i].key, &encoded);
      encoded += "%3D";
      AppendUriComponentTwice(params[i].value, &encoded);
    }
  }
  return encoded;
}

TEST(ParamLists, ReadBackEveryListEitherProfileWrites) {
  std::mt19937 random(20261128);
  for (int trial = 0; trial < 20000; ++trial) {
    std::vector<Param> params(1 + random() % 40);
    for (Param& param : params) {
      param.key.resize(1 + random() % 4);
      param.value.resize(random() % 6);
      // Any byte below 0x80, and now and then a two-byte character.
      for (std::string* text : {&param.key, &param.value}) {
        for (char& c : *text) c = static_cast<char>(random() % 128);
        if (random() % 8 == 0) *text += "\xC3\xA9";
      }
    }
    const std::string encoded = EncodeList(params, trial % 2 == 1);
    ASSERT_OK_AND_ASSIGN(std::vector<Param> parsed, ParsedParamList(encoded));
    ASSERT_EQ(parsed, params) << encoded;
  }
}

TEST(ParamLists, ReadAsTheQueryFunctionsReadThemForEveryByteAnywhere) {
  for (const std::string& base :
       {std::string("To%3D%252B15551234567%26CallerId%3Dclient%253Aalice"),
        std::string("a%3D1%26b%3D%2525%2b+x=y%26c%3d"),
        std::string("k=v%26k2%3D%2526%253D"), std::string("a%3D%C3%A9")}) {
    ExpectReferenceReading(base);
    for (size_t position = 0; position < base.size(); ++position) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string encoded = base;
        encoded[position] = static_cast<char>(byte);
        // '&' and ' ' end the parameter or the scope in the claim itself.
        if (byte == '&' || byte == ' ') continue;
        ExpectReferenceReading(encoded);
        if (::testing::Test::HasFatalFailure()) return;
      }
    }
  }
}

TEST(ParamLists, ReadAsTheQueryFunctionsReadThemOnRandomText) {
  // The bytes that mean something at either level, and some that do not.
  constexpr absl::string_view kAlphabet = "%%%%2356ABDFabdf+=xZ0\x80\xC3";
  std::mt19937 random(11282026);
  for (int trial = 0; trial < 200000; ++trial) {
    std::string encoded(random() % 40, 'x');
    for (char& c : encoded) c = kAlphabet[random() % kAlphabet.size()];
    ExpectReferenceReading(encoded);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(ParamLists, MalformedListsAreRefusedWithTheQueryFunctionsWords) {
  for (absl::string_view encoded : {
           "a%3D1%26",   // empty last pair
           "%3D1",       // empty key
           "novalue",    // no '='
           "a%3D%252",   // bad inner escape
           "a%3D%25FF",  // not UTF-8 once decoded twice
       }) {
    EXPECT_FALSE(ParsedParamList(encoded).ok()) << encoded;
    ExpectReferenceReading(encoded);
  }
}

TEST(ParseScopeClaim, ReadsLongParamLists) {
  std::vector<Param> many;
  for (size_t i = 0; i < 100; ++i) {
    many.push_back({absl::StrCat("key", i), absl::StrCat("value ", i)});
  }
  for (const std::vector<CapabilityScope>& scopes :
       std::vector<std::vector<CapabilityScope>>{{Outgoing(many)},
                                                 {EventStreamScope{many}}}) {
    for (const std::string& claim : {Node(scopes), Python(scopes)}) {
      ASSERT_OK_AND_ASSIGN(std::vector<CapabilityScope> parsed,
                           ParseScopeClaim(claim));
      EXPECT_EQ(parsed, scopes);
    }
  }
}

}  // namespace
}  // namespace captoken::token::internal
