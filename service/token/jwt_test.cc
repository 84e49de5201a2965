// Tests for jwt.h: signing, splitting, MAC verification, decoding and header
// checks of compact HS256 JWTs.

#include "service/token/jwt.h"

#include <cstdlib>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/crypto.h"
#include "service/token/internal/base64url.h"
#include "service/token/json_value.h"
#include "service/token/verification_failure.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_keys.h"

namespace captoken::token {

// Test failures print a VerificationFailure by its name.
void PrintTo(VerificationFailure failure, std::ostream* os) {
  *os << VerificationFailureName(failure);
}

namespace {

using ::captoken::testing::TestKey;

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// Spec §2.7, vector cc09.
constexpr absl::string_view kAuthToken = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
constexpr absl::string_view kNodeHeader =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
constexpr absl::string_view kCc09Payload =
    R"({"scope":"scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567)"
    R"(&clientName=bob&appParams=To%3D%252B15551234567%26CallerId%3Dclient)"
    R"(%253Abob","iss":"AC0123456789abcdef0123456789abcdef","exp":1700003600,)"
    R"("iat":1700000000})";
constexpr absl::string_view kCc09Token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzY29wZSI6InNjb3BlOmNsaWVudDpvdXRnb2luZz9hcHBTaWQ9QVA4OWFiY2RlZjAxMjM0"
    "NTY3ODlhYmNkZWYwMTIzNDU2NyZjbGllbnROYW1lPWJvYiZhcHBQYXJhbXM9VG8lM0QlMjUy"
    "QjE1NTUxMjM0NTY3JTI2Q2FsbGVySWQlM0RjbGllbnQlMjUzQWJvYiIsImlzcyI6IkFDMDEy"
    "MzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYiLCJleHAiOjE3MDAwMDM2MDAsImlhdCI6"
    "MTcwMDAwMDAwMH0.iQBvegNFrIaEBG4jJ-_-If0UY52Qaj7V-LZF4T68xcE";
constexpr absl::string_view kCc09Signature =
    "iQBvegNFrIaEBG4jJ-_-If0UY52Qaj7V-LZF4T68xcE";

constexpr absl::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string B64(absl::string_view data) {
  std::string out;
  internal::AppendBase64Url(data, &out);
  return out;
}

std::string Signature(const HmacSha256Key& key, absl::string_view input) {
  const HmacSha256Key::Mac mac = key.Compute(input);
  return B64(
      absl::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

// A token over already-encoded segments, with a valid MAC under `key`.
std::string SignSegments(absl::string_view header_segment,
                         absl::string_view payload_segment,
                         const HmacSha256Key& key) {
  const std::string input = absl::StrCat(header_segment, ".", payload_segment);
  return absl::StrCat(input, ".", Signature(key, input));
}

// A token over header and payload JSON, with a valid MAC under `key`.
std::string Craft(absl::string_view header_json, absl::string_view payload_json,
                  const HmacSha256Key& key) {
  return SignSegments(B64(header_json), B64(payload_json), key);
}

// Replaces the signature's last character with another spelling of the same
// bits: a 32-byte MAC leaves two unused bits in its last character.
std::string WithNonCanonicalLastCharacter(absl::string_view token) {
  std::string respelt(token);
  const size_t index = kAlphabet.find(respelt.back());
  respelt.back() = kAlphabet[index | 1];
  return respelt;
}

class JwtTest : public ::testing::Test {
 protected:
  absl::StatusOr<AuthenticatedJwt> Authenticate(
      absl::string_view token, std::vector<const HmacSha256Key*> keys,
      absl::Span<const absl::string_view> extras = {}) {
    return AuthenticateHs256Jwt(token, keys, 64 * 1024, extras);
  }

  const HmacSha256Key key_ = TestKey(kAuthToken);
  const HmacSha256Key other_key_ = TestKey("another secret");
};

// ---- SignHs256Jwt ---------------------------------------------------------

TEST_F(JwtTest, SignReproducesTheSpecWorkedExample) {
  EXPECT_EQ(SignHs256Jwt(kNodeHeader, kCc09Payload, key_), kCc09Token);
}

TEST_F(JwtTest, SignWritesHeaderVerbatimPayloadEncodedAndMacOverBoth) {
  const std::string token = SignHs256Jwt("SEGMENT", "{}", key_);
  EXPECT_EQ(token,
            absl::StrCat("SEGMENT.e30.", Signature(key_, "SEGMENT.e30")));
}

TEST_F(JwtTest, SignatureIs43Characters) {
  for (absl::string_view payload : {"", "{}", "a longer payload"}) {
    const std::string token = SignHs256Jwt(kNodeHeader, payload, key_);
    EXPECT_EQ(token.size() - token.rfind('.') - 1, 43u);
  }
}

// ---- SplitCompactJwt ------------------------------------------------------

TEST_F(JwtTest, SplitGivesViewsIntoTheToken) {
  ASSERT_OK_AND_ASSIGN(JwtSegments segments,
                       SplitCompactJwt(kCc09Token, kCc09Token.size()));
  EXPECT_EQ(segments.header, kNodeHeader);
  EXPECT_EQ(segments.signature, kCc09Signature);
  EXPECT_EQ(segments.payload, B64(kCc09Payload));
  EXPECT_EQ(segments.signing_input,
            kCc09Token.substr(0, kCc09Token.size() - 44));
  EXPECT_EQ(segments.header.data(), kCc09Token.data());
  EXPECT_EQ(segments.signing_input.data(), kCc09Token.data());
}

TEST_F(JwtTest, SplitDoesNotDecode) {
  ASSERT_OK_AND_ASSIGN(JwtSegments segments, SplitCompactJwt("!.?.*", 100));
  EXPECT_EQ(segments.header, "!");
  EXPECT_EQ(segments.payload, "?");
  EXPECT_EQ(segments.signature, "*");
}

TEST_F(JwtTest, SplitAcceptsATokenOfExactlyTheLimit) {
  EXPECT_THAT(SplitCompactJwt(kCc09Token, kCc09Token.size()), IsOk());
}

TEST_F(JwtTest, SplitRefusesATokenOverTheLimitAsTooLarge) {
  absl::StatusOr<JwtSegments> segments =
      SplitCompactJwt(kCc09Token, kCc09Token.size() - 1);
  EXPECT_THAT(segments, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("token longer than")));
  EXPECT_EQ(VerificationFailureOf(segments.status()),
            VerificationFailure::kTooLarge);
  // Size is checked first, even for something that is not a token at all.
  EXPECT_EQ(VerificationFailureOf(SplitCompactJwt("not a token", 3).status()),
            VerificationFailure::kTooLarge);
}

TEST_F(JwtTest, SplitRefusesAnythingButThreeNonEmptySegments) {
  struct Case {
    absl::string_view token;
    const char* problem;
  };
  const Case cases[] = {
      {"", "three segments"},          {"abc", "three segments"},
      {"a.b", "three segments"},       {"a.b.c.d", "three segments"},
      {"a.b.c.d.e", "three segments"}, {"a.b.c.", "three segments"},
      {"...", "three segments"},       {"..", "empty segment"},
      {".b.c", "empty segment"},       {"a..c", "empty segment"},
      {"a.b.", "empty segment"},
  };
  for (const Case& test_case : cases) {
    SCOPED_TRACE(test_case.token);
    absl::StatusOr<JwtSegments> segments =
        SplitCompactJwt(test_case.token, 1000);
    EXPECT_THAT(segments, StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr(test_case.problem)));
    EXPECT_EQ(VerificationFailureOf(segments.status()),
              VerificationFailure::kMalformed);
  }
}

// ---- VerifyHs256Mac -------------------------------------------------------

absl::Status VerifyToken(absl::string_view token, const HmacSha256Key& key) {
  absl::StatusOr<JwtSegments> segments = SplitCompactJwt(token, 1 << 20);
  if (!segments.ok()) return segments.status();
  return VerifyHs256Mac(*segments, key);
}

TEST_F(JwtTest, MacOfTheKnownAnswerVerifies) {
  EXPECT_THAT(VerifyToken(kCc09Token, key_), IsOk());
}

TEST_F(JwtTest, MacUnderAnotherKeyIsABadSignature) {
  const absl::Status status = VerifyToken(kCc09Token, other_key_);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnauthenticated,
                               HasSubstr("signature does not match")));
  EXPECT_EQ(VerificationFailureOf(status), VerificationFailure::kBadSignature);
}

TEST_F(JwtTest, EveryAlteredSignatureIsABadSignature) {
  const std::string token(kCc09Token);
  const std::string input = token.substr(0, token.size() - 43);
  struct Case {
    const char* name;
    std::string token;
  };
  const std::string standard_alphabet =
      input + absl::StrReplaceAll(std::string(kCc09Signature),
                                  {{"-", "+"}, {"_", "/"}});
  const std::vector<Case> cases = {
      {"truncated by one", token.substr(0, token.size() - 1)},
      {"truncated to half", token.substr(0, token.size() - 21)},
      {"one extra character", token + "A"},
      {"padded", token + "="},
      {"padded twice", token + "=="},
      {"non-canonical last character", WithNonCanonicalLastCharacter(token)},
      {"standard base64 alphabet", standard_alphabet},
      {"first character changed", input + "j" + token.substr(input.size() + 1)},
      {"last character changed", token.substr(0, token.size() - 1) + "I"},
      {"trailing space", token + " "},
      {"trailing newline", token + "\n"},
      {"hex instead of base64url",
       input +
           "89007b7a03452c8684046e2327efbe21fd14639d906a3ed5f8b645e13ebcc5c1"},
  };
  for (const Case& test_case : cases) {
    SCOPED_TRACE(test_case.name);
    ASSERT_NE(test_case.token, token);
    const absl::Status status = VerifyToken(test_case.token, key_);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnauthenticated,
                                 HasSubstr("signature does not match")));
    EXPECT_EQ(VerificationFailureOf(status),
              VerificationFailure::kBadSignature);
  }
}

TEST_F(JwtTest, AlteredHeaderOrPayloadIsABadSignature) {
  const std::string header_changed =
      absl::StrCat(B64(R"({"typ": "JWT", "alg": "HS256"})"), ".",
                   B64(kCc09Payload), ".", kCc09Signature);
  std::string payload = std::string(kCc09Payload);
  payload.replace(payload.find("1700003600"), 10, "1800003600");
  const std::string payload_changed =
      absl::StrCat(kNodeHeader, ".", B64(payload), ".", kCc09Signature);
  for (const std::string& token : {header_changed, payload_changed}) {
    EXPECT_EQ(VerificationFailureOf(VerifyToken(token, key_)),
              VerificationFailure::kBadSignature);
  }
}

// ---- DecodeJwt ------------------------------------------------------------

absl::StatusOr<DecodedJwt> Decode(absl::string_view token) {
  absl::StatusOr<JwtSegments> segments = SplitCompactJwt(token, 1 << 20);
  if (!segments.ok()) return segments.status();
  return DecodeJwt(*segments);
}

TEST_F(JwtTest, DecodeGivesTheBytesAndTheParsedJson) {
  ASSERT_OK_AND_ASSIGN(DecodedJwt jwt, Decode(kCc09Token));
  EXPECT_EQ(jwt.header_json, R"({"alg":"HS256","typ":"JWT"})");
  EXPECT_EQ(jwt.payload_json, kCc09Payload);
  EXPECT_THAT(jwt.header.member_names(), ElementsAre("alg", "typ"));
  EXPECT_THAT(jwt.payload.member_names(),
              ElementsAre("scope", "iss", "exp", "iat"));
  ASSERT_NE(jwt.payload.Find("exp"), nullptr);
  EXPECT_EQ(jwt.payload.Find("exp")->AsInt64(), 1700003600);
}

TEST_F(JwtTest, DecodeRefusesEveryMalformedSegment) {
  const std::string header = B64(R"({"alg":"HS256"})");
  const std::string payload = B64(R"({"exp":1})");
  struct Case {
    const char* name;
    std::string token;
    const char* problem;
  };
  const Case cases[] = {
      {"header not base64url", absl::StrCat("e30=.", payload, ".sig"),
       "header: not base64url"},
      {"payload not base64url", absl::StrCat(header, ".e30+.sig"),
       "payload: not base64url"},
      {"payload with padding", absl::StrCat(header, ".", payload, "=.sig"),
       "payload: not base64url"},
      {"payload non-canonical", absl::StrCat(header, ".e31.sig"),
       "payload: not base64url"},
      {"header not JSON", absl::StrCat(B64("{alg:HS256}"), ".", payload, ".s"),
       "header: JSON:"},
      {"payload not JSON", absl::StrCat(header, ".", B64("{"), ".s"),
       "payload: JSON:"},
      {"payload with trailing data",
       absl::StrCat(header, ".", B64(R"({"exp":1}x)"), ".s"),
       "payload: JSON: unexpected data"},
      {"header an array", absl::StrCat(B64("[]"), ".", payload, ".s"),
       "header: not a JSON object"},
      {"payload a string", absl::StrCat(header, ".", B64(R"("x")"), ".s"),
       "payload: not a JSON object"},
      {"payload a number", absl::StrCat(header, ".", B64("1700003600"), ".s"),
       "payload: not a JSON object"},
      {"payload null", absl::StrCat(header, ".", B64("null"), ".s"),
       "payload: not a JSON object"},
      {"payload invalid UTF-8",
       absl::StrCat(header, ".", B64("{\"a\":\"\xFF\"}"), ".s"),
       "payload: JSON: invalid UTF-8"},
      {"payload duplicate names",
       absl::StrCat(header, ".", B64(R"({"exp":1,"exp":2})"), ".s"),
       "payload: JSON: duplicate member name"},
  };
  for (const Case& test_case : cases) {
    SCOPED_TRACE(test_case.name);
    absl::StatusOr<DecodedJwt> jwt = Decode(test_case.token);
    EXPECT_THAT(jwt, StatusIs(absl::StatusCode::kInvalidArgument,
                              HasSubstr(test_case.problem)));
    EXPECT_EQ(VerificationFailureOf(jwt.status()),
              VerificationFailure::kMalformed);
  }
}

TEST_F(JwtTest, DecodeMessagesNeverQuoteTheToken) {
  const std::string secret = "secretclaimvalue";
  const std::string token = absl::StrCat(
      B64(R"({"alg":"HS256"})"), ".",
      B64(absl::StrCat(R"({")", secret, R"(":1,")", secret, R"(":2})")), ".s");
  absl::StatusOr<DecodedJwt> jwt = Decode(token);
  ASSERT_FALSE(jwt.ok());
  EXPECT_THAT(std::string(jwt.status().message()), Not(HasSubstr(secret)));
  EXPECT_THAT(std::string(jwt.status().message()),
              Not(HasSubstr(token.substr(0, 20))));
}

// ---- AuthenticateHs256Jwt -------------------------------------------------

TEST_F(JwtTest, AuthenticateAcceptsAGoodToken) {
  ASSERT_OK_AND_ASSIGN(AuthenticatedJwt jwt, Authenticate(kCc09Token, {&key_}));
  EXPECT_EQ(jwt.payload_json, kCc09Payload);
}

TEST_F(JwtTest, AuthenticateTriesEachKeyInTurn) {
  EXPECT_THAT(Authenticate(kCc09Token, {&other_key_, &key_}), IsOk());
  EXPECT_THAT(Authenticate(kCc09Token, {&key_, &other_key_}), IsOk());
  EXPECT_EQ(VerificationFailureOf(
                Authenticate(kCc09Token, {&other_key_, &other_key_}).status()),
            VerificationFailure::kBadSignature);
}

TEST_F(JwtTest, AuthenticateWithNoKeysIsABadSignature) {
  absl::StatusOr<AuthenticatedJwt> jwt = Authenticate(kCc09Token, {});
  EXPECT_THAT(jwt, StatusIs(absl::StatusCode::kUnauthenticated,
                            HasSubstr("signature does not match")));
  EXPECT_EQ(VerificationFailureOf(jwt.status()),
            VerificationFailure::kBadSignature);
}

TEST(KnownHeaders, Base64SpellsTheJson) {
  std::string node;
  internal::AppendBase64Url(kNodeHeaderJson, &node);
  EXPECT_EQ(node, kNodeHeaderBase64);
  std::string python;
  internal::AppendBase64Url(kPythonHeaderJson, &python);
  EXPECT_EQ(python, kPythonHeaderBase64);
  std::string python6;
  internal::AppendBase64Url(kPython6HeaderJson, &python6);
  EXPECT_EQ(python6, kPython6HeaderBase64);
}

// PyJWT 2.5+ sorts the header keys, which gives jsonwebtoken's order.
TEST(KnownHeaders, EachProfileHasItsHeader) {
  EXPECT_EQ(Hs256HeaderBase64(Profile::kTwilioPython), kPythonHeaderBase64);
  EXPECT_EQ(Hs256HeaderBase64(Profile::kTwilioNode), kNodeHeaderBase64);
  EXPECT_EQ(Hs256HeaderBase64(Profile::kTwilioPython6), kPython6HeaderBase64);
  EXPECT_EQ(Hs256HeaderBase64(Profile::kTwilioPython7), kNodeHeaderBase64);
}

TEST_F(JwtTest, AuthenticateReportsAKnownHeaderAsItsJson) {
  ASSERT_OK_AND_ASSIGN(AuthenticatedJwt node,
                       Authenticate(kCc09Token, {&key_}));
  EXPECT_EQ(node.header_json, kNodeHeaderJson);
  const std::string python_token =
      SignHs256Jwt(kPythonHeaderBase64, kCc09Payload, key_);
  ASSERT_OK_AND_ASSIGN(AuthenticatedJwt python,
                       Authenticate(python_token, {&key_}));
  EXPECT_EQ(python.header_json, kPythonHeaderJson);
  EXPECT_EQ(python.payload_json, kCc09Payload);
  const std::string python6_token =
      SignHs256Jwt(kPython6HeaderBase64, kCc09Payload, key_);
  ASSERT_OK_AND_ASSIGN(AuthenticatedJwt python6,
                       Authenticate(python6_token, {&key_}));
  EXPECT_EQ(python6.header_json, kPython6HeaderJson);
}

TEST_F(JwtTest, AuthenticateChecksSizeFirst) {
  const HmacSha256Key* keys[] = {&key_};
  EXPECT_EQ(VerificationFailureOf(
                AuthenticateHs256Jwt(kCc09Token, keys, 10, {}).status()),
            VerificationFailure::kTooLarge);
}

TEST_F(JwtTest, AuthenticateChecksTheMacBeforeDecodingAnything) {
  // Unparseable segments behind a wrong MAC: the MAC is what fails.
  const std::string garbage = "!!!.???.AAAA";
  EXPECT_EQ(VerificationFailureOf(Authenticate(garbage, {&key_}).status()),
            VerificationFailure::kBadSignature);
  // With a valid MAC over the same bytes, decoding is reached and fails.
  const std::string signed_garbage = SignSegments("!!!", "???", key_);
  EXPECT_EQ(
      VerificationFailureOf(Authenticate(signed_garbage, {&key_}).status()),
      VerificationFailure::kMalformed);
}

TEST_F(JwtTest, AuthenticateChecksTheHeaderAfterTheMac) {
  const std::string none =
      Craft(R"({"alg":"none","typ":"JWT"})", R"({"exp":1})", key_);
  EXPECT_EQ(VerificationFailureOf(Authenticate(none, {&key_}).status()),
            VerificationFailure::kUnsupportedHeader);
  EXPECT_EQ(VerificationFailureOf(Authenticate(none, {&other_key_}).status()),
            VerificationFailure::kBadSignature);
}

TEST_F(JwtTest, AuthenticateAllowsOnlyTheNamedHeaderExtras) {
  const std::string token =
      Craft(R"({"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1","twr":"us1"})",
            R"({"exp":1})", key_);
  EXPECT_EQ(VerificationFailureOf(Authenticate(token, {&key_}).status()),
            VerificationFailure::kUnsupportedHeader);
  constexpr absl::string_view kCtyOnly[] = {"cty"};
  EXPECT_EQ(
      VerificationFailureOf(Authenticate(token, {&key_}, kCtyOnly).status()),
      VerificationFailure::kUnsupportedHeader);
  constexpr absl::string_view kBoth[] = {"cty", "twr"};
  EXPECT_THAT(Authenticate(token, {&key_}, kBoth), IsOk());
}

// ---- CheckHs256Header -----------------------------------------------------

absl::Status CheckHeader(absl::string_view header_json,
                         absl::Span<const absl::string_view> extras = {}) {
  absl::StatusOr<JsonValue> header = ParseJson(header_json);
  if (!header.ok()) return header.status();
  return CheckHs256Header(*header, extras);
}

TEST(CheckHs256Header, AcceptsEverySdkHeaderLayout) {
  EXPECT_THAT(CheckHeader(R"({"alg":"HS256","typ":"JWT"})"), IsOk());
  EXPECT_THAT(CheckHeader(R"({"typ": "JWT", "alg": "HS256"})"), IsOk());
  EXPECT_THAT(CheckHeader(R"({"alg":"HS256"})"), IsOk());
  EXPECT_THAT(CheckHeader(R"({"\u0061lg":"HS\u0032\u0035\u0036"})"), IsOk());
}

TEST(CheckHs256Header, RefusesAnyAlgButHs256) {
  for (absl::string_view header :
       {R"({})", R"({"typ":"JWT"})", R"({"alg":"none","typ":"JWT"})",
        R"({"alg":"None"})", R"({"alg":""})", R"({"alg":"HS384"})",
        R"({"alg":"HS512"})", R"({"alg":"RS256"})", R"({"alg":"ES256"})",
        R"({"alg":"hs256"})", R"({"alg":"HS256 "})", R"({"alg":"HS2560"})",
        R"({"alg":256})", R"({"alg":null})", R"({"alg":["HS256"]})",
        R"({"alg":{"name":"HS256"}})", R"({"alg":true})"}) {
    SCOPED_TRACE(header);
    const absl::Status status = CheckHeader(header);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("alg is not HS256")));
    EXPECT_EQ(VerificationFailureOf(status),
              VerificationFailure::kUnsupportedHeader);
  }
}

TEST(CheckHs256Header, RefusesAnyTypButJwt) {
  for (absl::string_view header :
       {R"({"alg":"HS256","typ":"jwt"})", R"({"alg":"HS256","typ":"JWS"})",
        R"({"alg":"HS256","typ":""})", R"({"alg":"HS256","typ":null})",
        R"({"alg":"HS256","typ":1})", R"({"alg":"HS256","typ":["JWT"]})"}) {
    SCOPED_TRACE(header);
    const absl::Status status = CheckHeader(header);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("typ is not JWT")));
    EXPECT_EQ(VerificationFailureOf(status),
              VerificationFailure::kUnsupportedHeader);
  }
}

TEST(CheckHs256Header, AlwaysRefusesCrit) {
  constexpr absl::string_view kCritAllowed[] = {"crit"};
  for (absl::Span<const absl::string_view> extras :
       {absl::Span<const absl::string_view>(),
        absl::Span<const absl::string_view>(kCritAllowed)}) {
    const absl::Status status =
        CheckHeader(R"({"alg":"HS256","typ":"JWT","crit":["exp"]})", extras);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("crit is not supported")));
    EXPECT_EQ(VerificationFailureOf(status),
              VerificationFailure::kUnsupportedHeader);
  }
  EXPECT_EQ(VerificationFailureOf(CheckHeader(R"({"alg":"HS256","crit":[]})")),
            VerificationFailure::kUnsupportedHeader);
}

TEST(CheckHs256Header, RefusesMembersItWasNotToldToExpect) {
  for (absl::string_view header :
       {R"({"alg":"HS256","typ":"JWT","kid":"SK1"})",
        R"({"alg":"HS256","jku":"https://example.com/keys"})",
        R"({"alg":"HS256","x5u":"https://example.com/cert"})",
        R"({"alg":"HS256","jwk":{}})", R"({"alg":"HS256","b64":false})",
        R"({"alg":"HS256","cty":"twilio-fpa;v=1"})",
        R"({"kid":"x","alg":"HS256"})"}) {
    SCOPED_TRACE(header);
    const absl::Status status = CheckHeader(header);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("unexpected member")));
    EXPECT_EQ(VerificationFailureOf(status),
              VerificationFailure::kUnsupportedHeader);
  }
}

TEST(CheckHs256Header, AcceptsTheNamedExtras) {
  constexpr absl::string_view kExtras[] = {"cty", "twr"};
  EXPECT_THAT(
      CheckHeader(R"({"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1",)"
                  R"("twr":"us1"})",
                  kExtras),
      IsOk());
  EXPECT_THAT(CheckHeader(R"({"alg":"HS256","cty":"x"})", kExtras), IsOk());
  EXPECT_EQ(VerificationFailureOf(
                CheckHeader(R"({"alg":"HS256","cty":"x","kid":"y"})", kExtras)),
            VerificationFailure::kUnsupportedHeader);
}

TEST(CheckHs256Header, MessagesNeverQuoteTheHeader) {
  for (absl::string_view header :
       {R"({"alg":"secretalg"})", R"({"alg":"HS256","typ":"secrettyp"})",
        R"({"alg":"HS256","secretmember":1})",
        R"({"alg":"HS256","crit":["secretext"]})"}) {
    const absl::Status status = CheckHeader(header);
    ASSERT_FALSE(status.ok()) << header;
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("secret")));
  }
}

}  // namespace
}  // namespace captoken::token
