// Tests for capability_verifier.h: a known-answer token, tokens of both SDK
// profiles and of other JSON layouts that must verify, and a corpus of
// malformed, forged and out-of-date tokens, each refused for its own reason.
//
// Crafted tokens are built by hand: header and payload JSON written as
// strings, base64url-encoded, and MACed with the key, so that the check
// under test is the one that fails.

#include "service/token/capability_verifier.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/capability_scope.h"
#include "service/token/capability_signer.h"
#include "service/token/capability_spec.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/internal/base64url.h"
#include "service/token/internal/time_claims.h"
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
using ::testing::Optional;

constexpr absl::string_view kAccountSid = "AC0123456789abcdef0123456789abcdef";
constexpr absl::string_view kOtherAccountSid =
    "ACfedcba9876543210fedcba9876543210";
constexpr absl::string_view kAuthToken = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
constexpr absl::string_view kOldAuthToken = "00112233445566778899aabbccddeeff";
constexpr absl::string_view kAppSid = "AP89abcdef0123456789abcdef01234567";
constexpr int64_t kNow = 1700000000;

constexpr absl::string_view kNodeHeader = R"({"alg":"HS256","typ":"JWT"})";
constexpr absl::string_view kPythonHeader = R"({"typ": "JWT", "alg": "HS256"})";
constexpr absl::string_view kIncomingAlice =
    "scope:client:incoming?clientName=alice";

// Spec §2.7, vector cc09: valid at 1700000000, expires at 1700003600.
constexpr absl::string_view kCc09Token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzY29wZSI6InNjb3BlOmNsaWVudDpvdXRnb2luZz9hcHBTaWQ9QVA4OWFiY2RlZjAxMjM0"
    "NTY3ODlhYmNkZWYwMTIzNDU2NyZjbGllbnROYW1lPWJvYiZhcHBQYXJhbXM9VG8lM0QlMjUy"
    "QjE1NTUxMjM0NTY3JTI2Q2FsbGVySWQlM0RjbGllbnQlMjUzQWJvYiIsImlzcyI6IkFDMDEy"
    "MzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYiLCJleHAiOjE3MDAwMDM2MDAsImlhdCI6"
    "MTcwMDAwMDAwMH0.iQBvegNFrIaEBG4jJ-_-If0UY52Qaj7V-LZF4T68xcE";

// Vector py5_cc10 (twilio-python 5.7), signed at the same time.
constexpr absl::string_view kPy5Cc10Token =
    "eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJIUzI1NiJ9."
    "eyJzY29wZSI6ICJzY29wZTpjbGllbnQ6aW5jb21pbmc_Y2xpZW50TmFtZT1hbGljZSBzY29w"
    "ZTpjbGllbnQ6b3V0Z29pbmc_YXBwU2lkPUFQODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEy"
    "MzQ1NjcmY2xpZW50TmFtZT1hbGljZSIsICJpc3MiOiAiQUMwMTIzNDU2Nzg5YWJjZGVmMDEy"
    "MzQ1Njc4OWFiY2RlZiIsICJleHAiOiAxNzAwMDAzNjAwfQ."
    "jzBIiyZ9l_2-vF2jX7wVTj8J0831r91OiDmh6h-5faE";

constexpr absl::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// ---- crafting tokens ------------------------------------------------------

std::string B64(absl::string_view data) {
  std::string out;
  internal::AppendBase64Url(data, &out);
  return out;
}

// A token over already-encoded segments with a valid HS256 MAC.
std::string SignSegments(absl::string_view header_segment,
                         absl::string_view payload_segment,
                         const HmacSha256Key& key) {
  const std::string input = absl::StrCat(header_segment, ".", payload_segment);
  const HmacSha256Key::Mac mac = key.Compute(input);
  return absl::StrCat(
      input, ".",
      B64(absl::string_view(reinterpret_cast<const char*>(mac.data()),
                            mac.size())));
}

// A token over header and payload JSON with a valid HS256 MAC.
std::string Craft(absl::string_view header_json, absl::string_view payload_json,
                  const HmacSha256Key& key) {
  return SignSegments(B64(header_json), B64(payload_json), key);
}

// A token genuinely signed with HMAC-SHA512, as an SDK's HS512 option does.
std::string CraftHs512(absl::string_view header_json,
                       absl::string_view payload_json,
                       absl::string_view secret) {
  const std::string input =
      absl::StrCat(B64(header_json), ".", B64(payload_json));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha512(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(),
           mac, &mac_size) == nullptr) {
    ADD_FAILURE() << "HMAC-SHA512 failed";
  }
  return absl::StrCat(
      input, ".",
      B64(absl::string_view(reinterpret_cast<const char*>(mac), mac_size)));
}

// Capability claims in node's order; `extra` is spliced in before `}`.
std::string Claims(int64_t exp, absl::string_view extra = "") {
  return absl::StrCat(R"({"scope":")", kIncomingAlice, R"(","iss":")",
                      kAccountSid, R"(","exp":)", exp, R"(,"iat":)", kNow,
                      extra, "}");
}

std::string ValidClaims() { return Claims(kNow + 3600); }

std::string ReplaceFirst(std::string text, absl::string_view from,
                         absl::string_view to) {
  const size_t pos = text.find(from.data(), 0, from.size());
  if (pos == std::string::npos) {
    ADD_FAILURE() << from << " not in " << text;
    return text;
  }
  return text.replace(pos, from.size(), std::string(to));
}

// The same MAC bits spelt with a different last character: a 32-byte MAC
// leaves two unused bits in it.
std::string WithNonCanonicalLastCharacter(absl::string_view token) {
  std::string respelt(token);
  respelt.back() = kAlphabet[kAlphabet.find(respelt.back()) | 1];
  return respelt;
}

absl::StatusCode CodeFor(VerificationFailure failure) {
  switch (failure) {
    case VerificationFailure::kMalformed:
    case VerificationFailure::kUnsupportedHeader:
    case VerificationFailure::kTooLarge:
      return absl::StatusCode::kInvalidArgument;
    default:
      return absl::StatusCode::kUnauthenticated;
  }
}

// ---- fixture --------------------------------------------------------------

class CapabilityVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(
        CapabilityVerifier verifier,
        CapabilityVerifier::Create({.jwt = {.clock = &clock_}}));
    verifier_.emplace(std::move(verifier));
  }

  absl::StatusOr<VerifiedCapabilityToken> Verify(
      absl::string_view token, CapabilityClaims* claims = nullptr) {
    return verifier_->Verify(token, key_, claims);
  }

  absl::StatusOr<SignedToken> Sign(const CapabilitySpec& spec) {
    return SignCapabilityToken(spec, key_, clock_.Now(), SigningLimits());
  }

  FixedClock clock_{absl::FromUnixSeconds(kNow)};
  const HmacSha256Key key_ = TestKey(kAuthToken);
  const HmacSha256Key old_key_ = TestKey(kOldAuthToken);
  const HmacSha256Key other_key_ = TestKey("someone else's auth token");
  std::optional<CapabilityVerifier> verifier_;
};

// ---- Create ---------------------------------------------------------------

TEST(CapabilityVerifierCreate, DefaultOptionsAreValid) {
  EXPECT_THAT(CapabilityVerifier::Create({}), IsOk());
}

TEST(CapabilityVerifierCreate, ExpectedAccountSidMustBeAnAccountSid) {
  for (absl::string_view sid :
       {"APdeadbeefdeadbeefdeadbeefdeadbeef",
        "acdeadbeefdeadbeefdeadbeefdeadbeef", "ACdeadbeef",
        "ACdeadbeefdeadbeefdeadbeefdeadbeeg"}) {
    absl::StatusOr<CapabilityVerifier> verifier =
        CapabilityVerifier::Create({.expected_account_sid = std::string(sid)});
    EXPECT_THAT(verifier,
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("expected_account_sid: must be \"AC\" "
                                   "followed by 32 hex digits")))
        << sid;
    EXPECT_THAT(std::string(verifier.status().message()),
                Not(HasSubstr("deadbeef")));
  }
}

TEST(CapabilityVerifierCreate, InvalidJwtOptionsAreRefused) {
  EXPECT_THAT(CapabilityVerifier::Create({.jwt = {.clock = nullptr}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("clock: required")));
  EXPECT_THAT(
      CapabilityVerifier::Create({.jwt = {.leeway = absl::Minutes(11)}}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("leeway")));
  EXPECT_THAT(CapabilityVerifier::Create({.jwt = {.max_token_bytes = 0}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("max_token_bytes")));
}

// ---- the known answer -----------------------------------------------------

TEST_F(CapabilityVerifierTest, KnownTokenVerifiesWithItsClaims) {
  ASSERT_OK_AND_ASSIGN(VerifiedCapabilityToken verified, Verify(kCc09Token));
  const CapabilityClaims& claims = verified.claims();
  EXPECT_EQ(claims.account_sid, kAccountSid);
  EXPECT_EQ(claims.scope_claim,
            "scope:client:outgoing?appSid=AP89abcdef0123456789abcdef01234567"
            "&clientName=bob"
            "&appParams=To%3D%252B15551234567%26CallerId%3Dclient%253Abob");
  EXPECT_THAT(claims.scopes,
              ElementsAre(CapabilityScope(ClientOutgoingScope{
                  std::string(kAppSid),
                  {{"To", "+15551234567"}, {"CallerId", "client:bob"}},
                  "bob"})));
  EXPECT_EQ(claims.expire_time, absl::FromUnixSeconds(1700003600));
  EXPECT_THAT(claims.issue_time, Optional(absl::FromUnixSeconds(1700000000)));
  EXPECT_EQ(claims.not_before, std::nullopt);
}

TEST_F(CapabilityVerifierTest, KnownPython5TokenVerifies) {
  ASSERT_OK_AND_ASSIGN(VerifiedCapabilityToken verified, Verify(kPy5Cc10Token));
  EXPECT_THAT(verified.claims().scopes,
              ElementsAre(CapabilityScope(ClientIncomingScope{"alice"}),
                          CapabilityScope(ClientOutgoingScope{
                              std::string(kAppSid), {}, "alice"})));
  EXPECT_EQ(verified.claims().issue_time, std::nullopt);
}

// ---- the negative corpus --------------------------------------------------

struct BadToken {
  std::string name;
  std::string token;
  VerificationFailure failure;
  std::string problem;  // A substring of the message.
};

std::vector<BadToken> NegativeCorpus(const HmacSha256Key& key,
                                     const HmacSha256Key& other_key) {
  const std::string good = Craft(kNodeHeader, ValidClaims(), key);
  const std::string header_segment = B64(kNodeHeader);
  const std::string payload_segment = B64(ValidClaims());
  const std::string signing_input =
      absl::StrCat(header_segment, ".", payload_segment);
  const std::string signature = good.substr(signing_input.size() + 1);

  std::string nested = R"(,"x":)";
  for (int i = 0; i < 100; ++i) nested += "[";
  for (int i = 0; i < 100; ++i) nested += "]";

  const auto with_exp_value = [&](absl::string_view exp) {
    return Craft(kNodeHeader,
                 absl::StrCat(R"({"scope":")", kIncomingAlice, R"(","iss":")",
                              kAccountSid, R"(","exp":)", exp, "}"),
                 key);
  };
  const auto with_scope_claim = [&](absl::string_view scope_json) {
    return Craft(kNodeHeader,
                 absl::StrCat(R"({"scope":)", scope_json, R"(,"iss":")",
                              kAccountSid, R"(","exp":)", kNow + 3600, "}"),
                 key);
  };
  const auto with_iss_claim = [&](absl::string_view iss_json) {
    return Craft(kNodeHeader,
                 absl::StrCat(R"({"scope":")", kIncomingAlice, R"(","iss":)",
                              iss_json, R"(,"exp":)", kNow + 3600, "}"),
                 key);
  };

  using F = VerificationFailure;
  return {
      // ---- header: algorithm and members (valid HS256 MAC) ----
      {"alg none", Craft(R"({"alg":"none","typ":"JWT"})", ValidClaims(), key),
       F::kUnsupportedHeader, "alg is not HS256"},
      {"alg none without a signature",
       absl::StrCat(B64(R"({"alg":"none","typ":"JWT"})"), ".", payload_segment,
                    "."),
       F::kMalformed, "empty segment"},
      {"alg HS384", Craft(R"({"alg":"HS384","typ":"JWT"})", ValidClaims(), key),
       F::kUnsupportedHeader, "alg is not HS256"},
      {"alg HS512", Craft(R"({"alg":"HS512","typ":"JWT"})", ValidClaims(), key),
       F::kUnsupportedHeader, "alg is not HS256"},
      {"alg RS256", Craft(R"({"alg":"RS256","typ":"JWT"})", ValidClaims(), key),
       F::kUnsupportedHeader, "alg is not HS256"},
      {"alg lower case",
       Craft(R"({"alg":"hs256","typ":"JWT"})", ValidClaims(), key),
       F::kUnsupportedHeader, "alg is not HS256"},
      {"no alg", Craft(R"({"typ":"JWT"})", ValidClaims(), key),
       F::kUnsupportedHeader, "alg is not HS256"},
      {"typ not JWT",
       Craft(R"({"alg":"HS256","typ":"JWS"})", ValidClaims(), key),
       F::kUnsupportedHeader, "typ is not JWT"},
      {"crit header",
       Craft(R"({"alg":"HS256","typ":"JWT","crit":["exp"]})", ValidClaims(),
             key),
       F::kUnsupportedHeader, "crit"},
      {"unknown header member kid",
       Craft(R"({"alg":"HS256","typ":"JWT","kid":"SK1"})", ValidClaims(), key),
       F::kUnsupportedHeader, "unexpected member"},
      {"access-token header member cty",
       Craft(R"({"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1"})",
             ValidClaims(), key),
       F::kUnsupportedHeader, "unexpected member"},
      {"duplicate alg in header",
       Craft(R"({"alg":"HS256","alg":"none"})", ValidClaims(), key),
       F::kMalformed, "header: JSON: duplicate member name"},
      {"header not an object", Craft("[]", ValidClaims(), key), F::kMalformed,
       "header: not a JSON object"},
      // ---- signatures ----
      {"genuinely HS512-signed",
       CraftHs512(R"({"alg":"HS512","typ":"JWT"})", ValidClaims(), kAuthToken),
       F::kBadSignature, "signature does not match"},
      {"HS512 MAC under an HS256 header",
       CraftHs512(kNodeHeader, ValidClaims(), kAuthToken), F::kBadSignature,
       "signature does not match"},
      {"tampered header",
       absl::StrCat(B64(kPythonHeader), ".", payload_segment, ".", signature),
       F::kBadSignature, "signature does not match"},
      {"tampered header: alg none, old signature",
       absl::StrCat(B64(R"({"alg":"none","typ":"JWT"})"), ".", payload_segment,
                    ".", signature),
       F::kBadSignature, "signature does not match"},
      {"tampered payload: later exp",
       absl::StrCat(header_segment, ".", B64(Claims(kNow + 86400)), ".",
                    signature),
       F::kBadSignature, "signature does not match"},
      {"tampered payload: other account",
       absl::StrCat(
           header_segment, ".",
           B64(ReplaceFirst(ValidClaims(), kAccountSid, kOtherAccountSid)), ".",
           signature),
       F::kBadSignature, "signature does not match"},
      {"tampered payload: one character",
       absl::StrCat(header_segment, ".",
                    ReplaceFirst(payload_segment, "Y", "Z"), ".", signature),
       F::kBadSignature, "signature does not match"},
      {"truncated signature", good.substr(0, good.size() - 1), F::kBadSignature,
       "signature does not match"},
      {"signature cut in half", good.substr(0, good.size() - 22),
       F::kBadSignature, "signature does not match"},
      {"signature with = padding", good + "=", F::kBadSignature,
       "signature does not match"},
      {"signature with non-canonical trailing bits",
       WithNonCanonicalLastCharacter(good), F::kBadSignature,
       "signature does not match"},
      {"signature with a trailing newline", good + "\n", F::kBadSignature,
       "signature does not match"},
      {"wrong key", Craft(kNodeHeader, ValidClaims(), other_key),
       F::kBadSignature, "signature does not match"},
      {"bearer prefix", "Bearer " + good, F::kBadSignature,
       "signature does not match"},
      // ---- time ----
      {"expired", Craft(kNodeHeader, Claims(kNow - 1), key), F::kExpired,
       "expired"},
      {"exp equal to now", Craft(kNodeHeader, Claims(kNow), key), F::kExpired,
       "expired"},
      {"expired long ago", Craft(kNodeHeader, Claims(0), key), F::kExpired,
       "expired"},
      {"nbf in the future",
       Craft(kNodeHeader,
             Claims(kNow + 3600, absl::StrCat(",\"nbf\":", kNow + 1)), key),
       F::kNotYetValid, "not yet valid"},
      // ---- time claims of the wrong type ----
      {"exp 1.5", with_exp_value("1.5"), F::kMalformed,
       "exp is not an integer"},
      {"exp a string", with_exp_value(R"("123")"), F::kMalformed,
       "exp is not an integer"},
      {"exp 1e9", with_exp_value("1e9"), F::kMalformed,
       "exp is not an integer"},
      {"exp with .0", with_exp_value("1700003600.0"), F::kMalformed,
       "exp is not an integer"},
      {"exp null", with_exp_value("null"), F::kMalformed,
       "exp is not an integer"},
      {"exp beyond int64", with_exp_value("9223372036854775808"), F::kMalformed,
       "exp is not an integer"},
      // Signed, integers, but outside what a protobuf Timestamp (and so a
      // verdict) can hold: malformed, not valid and unprintable.
      {"exp int64 max", with_exp_value("9223372036854775807"), F::kMalformed,
       "exp is out of range"},
      {"exp in the year 10000", with_exp_value("253402300800"), F::kMalformed,
       "exp is out of range"},
      {"exp before the year 1", with_exp_value("-62135596801"), F::kMalformed,
       "exp is out of range"},
      {"iat in the year 10000",
       Craft(kNodeHeader,
             ReplaceFirst(ValidClaims(), absl::StrCat(kNow), "253402300800"),
             key),
       F::kMalformed, "iat is out of range"},
      {"nbf int64 min",
       Craft(kNodeHeader, Claims(kNow + 3600, R"(,"nbf":-9223372036854775808)"),
             key),
       F::kMalformed, "nbf is out of range"},
      {"iat 1.5",
       Craft(kNodeHeader,
             ReplaceFirst(ValidClaims(), absl::StrCat(kNow), "1.5"), key),
       F::kMalformed, "iat is not an integer"},
      {"nbf a string",
       Craft(kNodeHeader, Claims(kNow + 3600, R"(,"nbf":"0")"), key),
       F::kMalformed, "nbf is not an integer"},
      // ---- JSON ----
      {"duplicate exp",
       Craft(kNodeHeader,
             Claims(kNow - 10, absl::StrCat(",\"exp\":", kNow + 3600)), key),
       F::kMalformed, "duplicate member name"},
      {"duplicate scope",
       Craft(kNodeHeader,
             Claims(kNow + 3600,
                    R"(,"scope":"scope:client:incoming?clientName=bob")"),
             key),
       F::kMalformed, "duplicate member name"},
      {"duplicate iss spelt with an escape",
       Craft(kNodeHeader,
             Claims(kNow + 3600,
                    absl::StrCat(R"(,"\u0069ss":")", kOtherAccountSid, R"(")")),
             key),
       F::kMalformed, "duplicate member name"},
      {"invalid UTF-8 in a string",
       with_scope_claim("\"scope:client:incoming?clientName=al\xFF"
                        "ice\""),
       F::kMalformed, "invalid UTF-8"},
      {"lone surrogate escape in a string",
       with_scope_claim(R"("scope:client:incoming?clientName=\ud800")"),
       F::kMalformed, "lone surrogate"},
      {"control character in a string",
       with_scope_claim("\"scope:client:incoming?clientName=a\nb\""),
       F::kMalformed, "control character"},
      {"deeply nested JSON",
       Craft(kNodeHeader, Claims(kNow + 3600, nested), key), F::kMalformed,
       "nesting too deep"},
      {"deeply nested header",
       Craft(R"({"alg":"HS256","x":[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]})",
             ValidClaims(), key),
       F::kMalformed, "nesting too deep"},
      {"trailing comma",
       Craft(kNodeHeader, ReplaceFirst(ValidClaims(), "}", ",}"), key),
       F::kMalformed, "expected a member name"},
      {"data after the object", Craft(kNodeHeader, ValidClaims() + "{}", key),
       F::kMalformed, "unexpected data after the value"},
      {"comment in payload",
       Craft(kNodeHeader,
             ReplaceFirst(ValidClaims(), ",\"iss\"", "/*c*/,\"iss\""), key),
       F::kMalformed, "payload: JSON:"},
      {"payload an array", Craft(kNodeHeader, "[]", key), F::kMalformed,
       "payload: not a JSON object"},
      {"payload a string", Craft(kNodeHeader, R"("scope")", key), F::kMalformed,
       "payload: not a JSON object"},
      {"payload a number", Craft(kNodeHeader, "1700003600", key), F::kMalformed,
       "payload: not a JSON object"},
      {"payload null", Craft(kNodeHeader, "null", key), F::kMalformed,
       "payload: not a JSON object"},
      {"payload empty", Craft(kNodeHeader, "", key), F::kMalformed,
       "empty segment"},
      {"payload not base64url", SignSegments(header_segment, "e30+", key),
       F::kMalformed, "payload: not base64url"},
      {"payload with = padding",
       SignSegments(header_segment, B64("{}") + "=", key), F::kMalformed,
       "payload: not base64url"},
      // ---- size and shape ----
      {"a megabyte-long token",
       Craft(kNodeHeader,
             Claims(kNow + 3600, absl::StrCat(R"(,"pad":")",
                                              std::string(1 << 20, 'a'), "\"")),
             key),
       F::kTooLarge, "longer than"},
      {"a megabyte of dots", std::string(1 << 20, '.'), F::kTooLarge,
       "longer than"},
      {"empty token", "", F::kMalformed, "three segments"},
      {"one segment", header_segment, F::kMalformed, "three segments"},
      {"two segments", signing_input, F::kMalformed, "three segments"},
      {"four segments", good + "." + signature, F::kMalformed,
       "three segments"},
      {"four segments, empty last", good + ".", F::kMalformed,
       "three segments"},
      {"all segments empty", "..", F::kMalformed, "empty segment"},
      {"empty header", absl::StrCat(".", payload_segment, ".", signature),
       F::kMalformed, "empty segment"},
      {"empty payload", absl::StrCat(header_segment, "..", signature),
       F::kMalformed, "empty segment"},
      {"empty signature", signing_input + ".", F::kMalformed, "empty segment"},
      // ---- capability claims ----
      {"missing scope",
       Craft(kNodeHeader,
             absl::StrCat(R"({"iss":")", kAccountSid, R"(","exp":)",
                          kNow + 3600, "}"),
             key),
       F::kMalformed, "no scope claim"},
      {"missing iss",
       Craft(kNodeHeader,
             absl::StrCat(R"({"scope":")", kIncomingAlice, R"(","exp":)",
                          kNow + 3600, "}"),
             key),
       F::kMalformed, "no iss claim"},
      {"missing exp",
       Craft(kNodeHeader,
             absl::StrCat(R"({"scope":")", kIncomingAlice, R"(","iss":")",
                          kAccountSid, R"("})"),
             key),
       F::kMalformed, "no exp claim"},
      {"empty payload object", Craft(kNodeHeader, "{}", key), F::kMalformed,
       "no exp claim"},
      {"scope not a string", with_scope_claim("42"), F::kMalformed,
       "scope is not a string"},
      {"scope a list",
       with_scope_claim(absl::StrCat(R"([")", kIncomingAlice, R"("])")),
       F::kMalformed, "scope is not a string"},
      {"scope null", with_scope_claim("null"), F::kMalformed,
       "scope is not a string"},
      {"iss an application SID",
       with_iss_claim(absl::StrCat("\"", kAppSid, "\"")), F::kMalformed,
       "iss is not an account SID"},
      {"iss with a lower-case prefix",
       with_iss_claim(R"("ac0123456789abcdef0123456789abcdef")"), F::kMalformed,
       "iss is not an account SID"},
      {"iss too short", with_iss_claim(R"("AC0123")"), F::kMalformed,
       "iss is not an account SID"},
      {"iss a number", with_iss_claim("1"), F::kMalformed,
       "iss is not an account SID"},
      {"iss an API key SID",
       with_iss_claim(R"("SK0123456789abcdef0123456789abcdef")"), F::kMalformed,
       "iss is not an account SID"},
      {"unexpected claim sub",
       Craft(
           kNodeHeader,
           Claims(kNow + 3600, absl::StrCat(R"(,"sub":")", kAccountSid, "\"")),
           key),
       F::kMalformed, "unexpected claim"},
      {"unexpected claim grants",
       Craft(kNodeHeader, Claims(kNow + 3600, R"(,"grants":{})"), key),
       F::kMalformed, "unexpected claim"},
      {"unknown scope string",
       with_scope_claim(R"("scope:client:dial?clientName=alice")"),
       F::kMalformed, "unknown scope"},
      {"scope with an unknown parameter",
       with_scope_claim(R"("scope:client:incoming?clientName=alice&x=1")"),
       F::kMalformed, "unknown parameter"},
      {"scope with a bad percent escape",
       with_scope_claim(R"("scope:client:incoming?clientName=%ZZ")"),
       F::kMalformed, "bad percent-escape"},
      {"scope without clientName",
       with_scope_claim(R"("scope:client:incoming")"), F::kMalformed,
       "incoming without clientName"},
      {"scope with both event filter lists",
       with_scope_claim(R"("scope:stream:subscribe?path=/2010-04-01/Events)"
                        R"(&appParams=a%3D1&params=b%3D2")"),
       F::kMalformed, "two filter lists"},
  };
}

TEST_F(CapabilityVerifierTest, EveryTokenInTheNegativeCorpusIsRefused) {
  const std::vector<BadToken> corpus = NegativeCorpus(key_, other_key_);
  ASSERT_GE(corpus.size(), 80u);
  for (const BadToken& bad : corpus) {
    SCOPED_TRACE(bad.name);
    CapabilityClaims claims;
    absl::StatusOr<VerifiedCapabilityToken> verified =
        Verify(bad.token, &claims);
    ASSERT_FALSE(verified.ok());
    EXPECT_EQ(VerificationFailureOf(verified.status()), bad.failure)
        << verified.status();
    EXPECT_THAT(verified,
                StatusIs(CodeFor(bad.failure), HasSubstr(bad.problem)));
    // The message is a fixed phrase: no secret, token, claim or SID.
    const std::string message(verified.status().message());
    EXPECT_THAT(message, Not(HasSubstr(std::string(kAuthToken))));
    EXPECT_THAT(message, Not(HasSubstr("0123456789abcdef")));
    EXPECT_THAT(message, Not(HasSubstr("alice")));
    EXPECT_THAT(message, Not(HasSubstr("eyJ")));
    EXPECT_LT(message.size(), 200u);
  }
}

TEST_F(CapabilityVerifierTest, TheCorpusIsBuiltAroundATokenThatVerifies) {
  // Guards the corpus: its base token and its key are good, so each entry
  // fails only for what it changes.
  EXPECT_THAT(Verify(Craft(kNodeHeader, ValidClaims(), key_)), IsOk());
  EXPECT_THAT(Verify(Craft(kNodeHeader, Claims(kNow + 1), key_)), IsOk());
}

// ---- boundaries, named ----------------------------------------------------

TEST_F(CapabilityVerifierTest, TokenWithExpEqualToNowIsRejected) {
  absl::StatusOr<VerifiedCapabilityToken> verified =
      Verify(Craft(kNodeHeader, Claims(kNow), key_));
  EXPECT_THAT(verified, StatusIs(absl::StatusCode::kUnauthenticated,
                                 HasSubstr("expired")));
  EXPECT_EQ(VerificationFailureOf(verified.status()),
            VerificationFailure::kExpired);
}

TEST_F(CapabilityVerifierTest, TokenWithExpOneSecondAfterNowIsAccepted) {
  ASSERT_OK_AND_ASSIGN(VerifiedCapabilityToken verified,
                       Verify(Craft(kNodeHeader, Claims(kNow + 1), key_)));
  EXPECT_EQ(verified.claims().expire_time, absl::FromUnixSeconds(kNow + 1));
}

TEST_F(CapabilityVerifierTest, TokenWithExpBeyondTheYear9999IsMalformed) {
  // Correctly signed, so before the range check it verified, and its verdict
  // (expire_time, a protobuf Timestamp) could not be printed.
  for (int64_t exp :
       {int64_t{9223372036854775807}, internal::kMaxTimeClaimSeconds + 1}) {
    SCOPED_TRACE(exp);
    CapabilityClaims claims;
    absl::StatusOr<VerifiedCapabilityToken> verified =
        Verify(Craft(kNodeHeader, Claims(exp), key_), &claims);
    EXPECT_THAT(verified, StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr("exp is out of range")));
    EXPECT_EQ(VerificationFailureOf(verified.status()),
              VerificationFailure::kMalformed);
    // No claims come back, so no response carries the time.
    EXPECT_EQ(claims.account_sid, "");
  }
  // The last second protobuf can hold still verifies.
  ASSERT_OK_AND_ASSIGN(
      VerifiedCapabilityToken last,
      Verify(Craft(kNodeHeader, Claims(internal::kMaxTimeClaimSeconds), key_)));
  EXPECT_EQ(last.claims().expire_time,
            absl::FromUnixSeconds(internal::kMaxTimeClaimSeconds));
}

TEST_F(CapabilityVerifierTest, TokenWithNbfEqualToNowIsAccepted) {
  ASSERT_OK_AND_ASSIGN(
      VerifiedCapabilityToken verified,
      Verify(Craft(kNodeHeader,
                   Claims(kNow + 3600, absl::StrCat(",\"nbf\":", kNow)),
                   key_)));
  EXPECT_THAT(verified.claims().not_before,
              Optional(absl::FromUnixSeconds(kNow)));
}

TEST_F(CapabilityVerifierTest, TokenWithNbfInTheFutureIsRejected) {
  EXPECT_EQ(
      VerificationFailureOf(
          Verify(Craft(kNodeHeader,
                       Claims(kNow + 3600, absl::StrCat(",\"nbf\":", kNow + 1)),
                       key_))
              .status()),
      VerificationFailure::kNotYetValid);
}

TEST_F(CapabilityVerifierTest, ATokenExpiresAsTheClockMoves) {
  const std::string token = Craft(kNodeHeader, Claims(kNow + 60), key_);
  EXPECT_THAT(Verify(token), IsOk());
  clock_.Advance(absl::Seconds(59));
  EXPECT_THAT(Verify(token), IsOk());
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(VerificationFailureOf(Verify(token).status()),
            VerificationFailure::kExpired);
}

TEST_F(CapabilityVerifierTest, LeewayAcceptsSlightlyExpiredAndEarlyTokens) {
  ASSERT_OK_AND_ASSIGN(
      CapabilityVerifier lenient,
      CapabilityVerifier::Create(
          {.jwt = {.clock = &clock_, .leeway = absl::Seconds(60)}}));
  EXPECT_THAT(lenient.Verify(Craft(kNodeHeader, Claims(kNow - 30), key_), key_),
              IsOk());
  EXPECT_THAT(lenient.Verify(Craft(kNodeHeader,
                                   Claims(kNow + 3600,
                                          absl::StrCat(",\"nbf\":", kNow + 60)),
                                   key_),
                             key_),
              IsOk());
  EXPECT_EQ(
      VerificationFailureOf(
          lenient.Verify(Craft(kNodeHeader, Claims(kNow - 60), key_), key_)
              .status()),
      VerificationFailure::kExpired);
}

TEST_F(CapabilityVerifierTest, SizeLimitIsConfigurable) {
  const std::string token = Craft(kNodeHeader, ValidClaims(), key_);
  ASSERT_OK_AND_ASSIGN(
      CapabilityVerifier exact,
      CapabilityVerifier::Create(
          {.jwt = {.clock = &clock_, .max_token_bytes = token.size()}}));
  EXPECT_THAT(exact.Verify(token, key_), IsOk());
  ASSERT_OK_AND_ASSIGN(
      CapabilityVerifier smaller,
      CapabilityVerifier::Create(
          {.jwt = {.clock = &clock_, .max_token_bytes = token.size() - 1}}));
  EXPECT_EQ(VerificationFailureOf(smaller.Verify(token, key_).status()),
            VerificationFailure::kTooLarge);
}

// ---- the expected account -------------------------------------------------

TEST_F(CapabilityVerifierTest, ExpectedAccountMustMatchIss) {
  ASSERT_OK_AND_ASSIGN(
      CapabilityVerifier verifier,
      CapabilityVerifier::Create(
          {.jwt = {.clock = &clock_},
           .expected_account_sid = std::string(kOtherAccountSid)}));
  absl::StatusOr<VerifiedCapabilityToken> verified =
      verifier.Verify(Craft(kNodeHeader, ValidClaims(), key_), key_);
  EXPECT_THAT(verified, StatusIs(absl::StatusCode::kUnauthenticated,
                                 "iss is not the expected account"));
  EXPECT_EQ(VerificationFailureOf(verified.status()),
            VerificationFailure::kWrongAccount);
}

TEST_F(CapabilityVerifierTest, ExpectedAccountThatMatchesIsAccepted) {
  ASSERT_OK_AND_ASSIGN(CapabilityVerifier verifier,
                       CapabilityVerifier::Create(
                           {.jwt = {.clock = &clock_},
                            .expected_account_sid = std::string(kAccountSid)}));
  EXPECT_THAT(verifier.Verify(kCc09Token, key_), IsOk());
}

// ---- order of checks ------------------------------------------------------

TEST_F(CapabilityVerifierTest, BadSignatureWinsOverEverythingAfterIt) {
  const std::string expired_other_key =
      Craft(R"({"alg":"none"})", Claims(kNow - 10, R"(,"sub":1)"), other_key_);
  EXPECT_EQ(VerificationFailureOf(Verify(expired_other_key).status()),
            VerificationFailure::kBadSignature);
}

TEST_F(CapabilityVerifierTest, HeaderIsCheckedBeforeClaims) {
  EXPECT_EQ(VerificationFailureOf(
                Verify(Craft(R"({"alg":"HS512"})", "{}", key_)).status()),
            VerificationFailure::kUnsupportedHeader);
}

TEST_F(CapabilityVerifierTest, MalformedClaimsAreReportedBeforeExpiry) {
  EXPECT_EQ(
      VerificationFailureOf(
          Verify(Craft(kNodeHeader, Claims(kNow - 10, R"(,"sub":"x")"), key_))
              .status()),
      VerificationFailure::kMalformed);
}

TEST_F(CapabilityVerifierTest, WrongAccountIsReportedBeforeExpiry) {
  ASSERT_OK_AND_ASSIGN(
      CapabilityVerifier verifier,
      CapabilityVerifier::Create(
          {.jwt = {.clock = &clock_},
           .expected_account_sid = std::string(kOtherAccountSid)}));
  EXPECT_EQ(
      VerificationFailureOf(
          verifier.Verify(Craft(kNodeHeader, Claims(kNow - 10), key_), key_)
              .status()),
      VerificationFailure::kWrongAccount);
}

// ---- authenticated_claims -------------------------------------------------

TEST_F(CapabilityVerifierTest, ClaimsOfAnExpiredTokenAreStillReported) {
  CapabilityClaims claims;
  absl::StatusOr<VerifiedCapabilityToken> verified =
      Verify(Craft(kNodeHeader, Claims(kNow - 5), key_), &claims);
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(VerificationFailureOf(verified.status()),
            VerificationFailure::kExpired);
  EXPECT_EQ(claims.account_sid, kAccountSid);
  EXPECT_EQ(claims.scope_claim, kIncomingAlice);
  EXPECT_THAT(claims.scopes,
              ElementsAre(CapabilityScope(ClientIncomingScope{"alice"})));
  EXPECT_EQ(claims.expire_time, absl::FromUnixSeconds(kNow - 5));
  EXPECT_THAT(claims.issue_time, Optional(absl::FromUnixSeconds(kNow)));
}

TEST_F(CapabilityVerifierTest, ClaimsOfANotYetValidTokenAreStillReported) {
  CapabilityClaims claims;
  EXPECT_FALSE(
      Verify(Craft(kNodeHeader,
                   Claims(kNow + 3600, absl::StrCat(",\"nbf\":", kNow + 100)),
                   key_),
             &claims)
          .ok());
  EXPECT_EQ(claims.account_sid, kAccountSid);
  EXPECT_THAT(claims.not_before, Optional(absl::FromUnixSeconds(kNow + 100)));
}

TEST_F(CapabilityVerifierTest, ClaimsOfAWrongAccountTokenAreStillReported) {
  ASSERT_OK_AND_ASSIGN(
      CapabilityVerifier verifier,
      CapabilityVerifier::Create(
          {.jwt = {.clock = &clock_},
           .expected_account_sid = std::string(kOtherAccountSid)}));
  CapabilityClaims claims;
  EXPECT_FALSE(verifier.Verify(kCc09Token, key_, &claims).ok());
  EXPECT_EQ(claims.account_sid, kAccountSid);
  EXPECT_EQ(claims.scopes.size(), 1u);
}

TEST_F(CapabilityVerifierTest, ClaimsOfABadSignatureTokenAreNotReported) {
  CapabilityClaims claims;
  claims.account_sid = "untouched";
  absl::StatusOr<VerifiedCapabilityToken> verified =
      Verify(Craft(kNodeHeader, Claims(kNow - 5), other_key_), &claims);
  EXPECT_EQ(VerificationFailureOf(verified.status()),
            VerificationFailure::kBadSignature);
  EXPECT_EQ(claims.account_sid, "untouched");
  EXPECT_TRUE(claims.scope_claim.empty());
  EXPECT_TRUE(claims.scopes.empty());
}

TEST_F(CapabilityVerifierTest, ClaimsThatDoNotParseAreNotReported) {
  CapabilityClaims claims;
  claims.account_sid = "untouched";
  EXPECT_FALSE(
      Verify(Craft(kNodeHeader, Claims(kNow + 3600, R"(,"sub":"x")"), key_),
             &claims)
          .ok());
  EXPECT_EQ(claims.account_sid, "untouched");
}

TEST_F(CapabilityVerifierTest, NullClaimsPointerIsAllowed) {
  EXPECT_FALSE(Verify(Craft(kNodeHeader, Claims(kNow - 5), key_)).ok());
}

// ---- tokens that must verify: both profiles -------------------------------

CapabilitySpec RichSpec(Profile profile) {
  CapabilitySpec spec;
  spec.account_sid = std::string(kAccountSid);
  spec.profile = profile;
  spec.ttl = absl::Seconds(600);
  spec.scopes = {
      ClientIncomingScope{"Jos\xC3\xA9 O'Neil"},
      ClientOutgoingScope{
          std::string(kAppSid),
          {{"To", "+1 555 123 4567"},
           {"q", "a&b=c"},
           {"plus", "1+1=2"},
           {"name", "Jos\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
           {"pct", "100%"},
           {"empty", ""},
           {"key with space", "v/w?x#y"}},
          "Jos\xC3\xA9 O'Neil"},
      EventStreamScope{{{"call sid", "CA 1&2"}, {"caf\xC3\xA9", "x=y+z"}}},
  };
  return spec;
}

TEST_F(CapabilityVerifierTest, NodeProfileTokensRoundTripTheirScopes) {
  const CapabilitySpec spec = RichSpec(Profile::kTwilioNode);
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token, Sign(spec));
  ASSERT_OK_AND_ASSIGN(VerifiedCapabilityToken verified,
                       Verify(signed_token.token));
  EXPECT_EQ(verified.claims().scopes, spec.scopes);
  EXPECT_EQ(verified.claims().account_sid, kAccountSid);
  EXPECT_EQ(verified.claims().expire_time, absl::FromUnixSeconds(kNow + 600));
  EXPECT_THAT(verified.claims().issue_time,
              Optional(absl::FromUnixSeconds(kNow)));
}

TEST_F(CapabilityVerifierTest, NodeProfileKeepsRepeatsAndOrder) {
  CapabilitySpec spec;
  spec.account_sid = std::string(kAccountSid);
  spec.profile = Profile::kTwilioNode;
  spec.scopes = {EventStreamScope{}, ClientIncomingScope{"b"},
                 ClientIncomingScope{"a"},
                 ClientOutgoingScope{std::string(kAppSid), {}, ""}};
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token, Sign(spec));
  ASSERT_OK_AND_ASSIGN(VerifiedCapabilityToken verified,
                       Verify(signed_token.token));
  EXPECT_EQ(verified.claims().scopes, spec.scopes);
}

TEST_F(CapabilityVerifierTest, PythonProfileTokensRoundTripTheirScopes) {
  const CapabilitySpec spec = RichSpec(Profile::kTwilioPython);
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token, Sign(spec));
  ASSERT_OK_AND_ASSIGN(VerifiedCapabilityToken verified,
                       Verify(signed_token.token));
  // One scope per kind, and the spec already gives the outgoing scope the
  // incoming name: python's semantics say the same as the request.
  EXPECT_EQ(verified.claims().scopes, spec.scopes);
  EXPECT_EQ(verified.claims().expire_time, absl::FromUnixSeconds(kNow + 600));
  EXPECT_EQ(verified.claims().issue_time, std::nullopt);
}

TEST_F(CapabilityVerifierTest, PythonProfileTokensCarryPythonSemantics) {
  CapabilitySpec spec;
  spec.account_sid = std::string(kAccountSid);
  spec.profile = Profile::kTwilioPython;
  spec.scopes = {
      ClientOutgoingScope{std::string(kAppSid), {{"a b", "c+d"}}, ""},
      ClientIncomingScope{"alice"}, ClientIncomingScope{"bob"}};
  ASSERT_OK_AND_ASSIGN(SignedToken signed_token, Sign(spec));
  ASSERT_OK_AND_ASSIGN(VerifiedCapabilityToken verified,
                       Verify(signed_token.token));
  EXPECT_THAT(verified.claims().scopes,
              ElementsAre(CapabilityScope(ClientOutgoingScope{
                              std::string(kAppSid), {{"a b", "c+d"}}, "bob"}),
                          CapabilityScope(ClientIncomingScope{"bob"})));
}

// ---- tokens that must verify: other layouts -------------------------------

TEST_F(CapabilityVerifierTest, AnyJsonLayoutOfTheSameClaimsVerifies) {
  const std::vector<std::pair<std::string, std::string>> layouts = {
      {std::string(kPythonHeader),
       absl::StrCat(R"({"scope": ")", kIncomingAlice, R"(", "iss": ")",
                    kAccountSid, R"(", "exp": )", kNow + 3600, "}")},
      {R"({"alg":"HS256"})",
       absl::StrCat(R"({"exp":)", kNow + 3600, R"(,"iss":")", kAccountSid,
                    R"(","scope":")", kIncomingAlice, R"("})")},
      {" {\n\t\"typ\" : \"JWT\" ,\r\n \"alg\" : \"HS256\"\n} ",
       absl::StrCat("\n{ \"iat\" : ", kNow, " ,\n  \"exp\"\t:\t", kNow + 3600,
                    " ,\r\n  \"scope\" : \"", kIncomingAlice,
                    "\" ,\n  \"iss\" : \"", kAccountSid, "\"\n}\n")},
      {R"({"\u0061lg":"HS\u0032\u0035\u0036","typ":"\u004a\u0057\u0054"})",
       absl::StrCat(R"({"\u0073cope":"scope:client:incoming?clientName\u003d)",
                    R"(\u0061lice","iss":"\u0041C0123456789abcdef0123456789)",
                    R"(abcdef","exp":)", kNow + 3600, "}")},
      {std::string(kNodeHeader),
       absl::StrCat(
           R"({"scope":"scope:client:incoming\u003FclientName=alice",)",
           R"("nbf":)", kNow, R"(,"iss":")", kAccountSid, R"(","exp":)",
           kNow + 3600, "}")},
  };
  for (size_t i = 0; i < layouts.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("layout ", i));
    const std::string token = Craft(layouts[i].first, layouts[i].second, key_);
    absl::StatusOr<VerifiedCapabilityToken> verified = Verify(token);
    ASSERT_THAT(verified, IsOk());
    EXPECT_EQ(verified->claims().account_sid, kAccountSid);
    EXPECT_EQ(verified->claims().scope_claim, kIncomingAlice);
    EXPECT_THAT(verified->claims().scopes,
                ElementsAre(CapabilityScope(ClientIncomingScope{"alice"})));
    EXPECT_EQ(verified->claims().expire_time,
              absl::FromUnixSeconds(kNow + 3600));
  }
}

// A flat payload without escapes (what every SDK writes) is read in place,
// any other is parsed in full; one set of claim rules judges both. So a
// payload and its twin with the first member's name begun by a \u escape
// (which only the parser reads) verify alike, or fail alike.
TEST_F(CapabilityVerifierTest, FlatAndParsedPayloadsAreJudgedAlike) {
  const std::string scope = absl::StrCat(R"("scope":")", kIncomingAlice, "\"");
  const std::string iss = absl::StrCat(R"("iss":")", kAccountSid, "\"");
  const std::string exp = absl::StrCat(R"("exp":)", kNow + 3600);
  const std::string iat = absl::StrCat(R"("iat":)", kNow);
  const std::string nbf = absl::StrCat(R"("nbf":)", kNow);
  const std::vector<std::vector<std::string>> payloads = {
      {scope, iss, exp},
      {nbf, exp, iss, scope, iat},
      {scope, iss},
      {scope, exp},
      {iss, exp},
      {scope, iss, R"("exp":1.5)"},
      {scope, iss, R"("exp":1e9)"},
      {scope, iss, R"("exp":"1700003600")"},
      {scope, iss, R"("exp":99999999999999)"},
      {scope, iss, R"("exp":99999999999999999999)"},
      {scope, iss, exp, R"("iat":true)"},
      {scope, iss, exp, R"("nbf":null)"},
      {scope, iss, absl::StrCat(R"("exp":)", kNow - 1)},
      {scope, iss, exp, absl::StrCat(R"("nbf":)", kNow + 600)},
      {R"("scope":1)", iss, exp},
      {R"("scope":"")", iss, exp},
      {R"("scope":"scope:client:nope")", iss, exp},
      {scope, R"("iss":"AC123")", exp},
      {scope, R"("iss":false)", exp},
      {scope, iss, exp, R"("sub":"x")"},
      {scope, iss, exp, iat, nbf, R"("jti":"x")"},
  };
  int verified = 0;
  for (const std::vector<std::string>& members : payloads) {
    const std::string flat =
        absl::StrCat("{", absl::StrJoin(members, ","), "}");
    std::string escaped = flat;
    escaped.replace(2, 1,
                    absl::StrFormat("\\u%04x", static_cast<int>(flat[2])));
    SCOPED_TRACE(escaped);
    CapabilityClaims flat_claims;
    CapabilityClaims escaped_claims;
    const absl::StatusOr<VerifiedCapabilityToken> from_flat =
        Verify(Craft(kNodeHeader, flat, key_), &flat_claims);
    const absl::StatusOr<VerifiedCapabilityToken> from_escaped =
        Verify(Craft(kNodeHeader, escaped, key_), &escaped_claims);
    EXPECT_EQ(from_flat.status(), from_escaped.status());
    EXPECT_EQ(flat_claims.account_sid, escaped_claims.account_sid);
    EXPECT_EQ(flat_claims.scope_claim, escaped_claims.scope_claim);
    EXPECT_EQ(flat_claims.scopes, escaped_claims.scopes);
    EXPECT_EQ(flat_claims.expire_time, escaped_claims.expire_time);
    EXPECT_EQ(flat_claims.issue_time, escaped_claims.issue_time);
    EXPECT_EQ(flat_claims.not_before, escaped_claims.not_before);
    verified += from_flat.ok();
  }
  // The first two and the empty scope verify: both sides are reached.
  EXPECT_EQ(verified, 3);
}

TEST_F(CapabilityVerifierTest, EscapedSlashesInTheEventPathDecode) {
  ASSERT_OK_AND_ASSIGN(
      VerifiedCapabilityToken verified,
      Verify(Craft(
          kNodeHeader,
          absl::StrCat(R"({"scope":"scope:stream:subscribe?path=\/2010-04-01)",
                       R"(\/Events","iss":")", kAccountSid, R"(","exp":)",
                       kNow + 3600, "}"),
          key_)));
  EXPECT_EQ(verified.claims().scope_claim,
            "scope:stream:subscribe?path=/2010-04-01/Events");
  EXPECT_THAT(verified.claims().scopes,
              ElementsAre(CapabilityScope(EventStreamScope{})));
}

TEST_F(CapabilityVerifierTest, EscapedNonAsciiEqualsRawNonAscii) {
  // The scope claim is percent-encoded, but a client name could in
  // principle be written by a lax encoder; either JSON spelling decodes the
  // same.
  const std::string raw =
      Craft(kNodeHeader,
            absl::StrCat(R"({"scope":"scope:client:incoming?clientName=Jos)",
                         "\xC3\xA9", R"(","iss":")", kAccountSid, R"(","exp":)",
                         kNow + 3600, "}"),
            key_);
  const std::string escaped = Craft(
      kNodeHeader,
      absl::StrCat(R"({"scope":"scope:client:incoming?clientName=Jos\u00e9",)",
                   R"("iss":")", kAccountSid, R"(","exp":)", kNow + 3600, "}"),
      key_);
  ASSERT_OK_AND_ASSIGN(VerifiedCapabilityToken from_raw, Verify(raw));
  ASSERT_OK_AND_ASSIGN(VerifiedCapabilityToken from_escaped, Verify(escaped));
  EXPECT_EQ(from_raw.claims().scopes, from_escaped.claims().scopes);
  EXPECT_THAT(from_raw.claims().scopes,
              ElementsAre(CapabilityScope(ClientIncomingScope{"Jos\xC3\xA9"})));
}

TEST_F(CapabilityVerifierTest, NoScopesIsAValidToken) {
  ASSERT_OK_AND_ASSIGN(
      VerifiedCapabilityToken verified,
      Verify(Craft(kNodeHeader,
                   absl::StrCat(R"({"scope":"","iss":")", kAccountSid,
                                R"(","exp":)", kNow + 3600, "}"),
                   key_)));
  EXPECT_TRUE(verified.claims().scopes.empty());
}

// ---- key rotation ---------------------------------------------------------

TEST_F(CapabilityVerifierTest, DuringRotationBothKeysVerify) {
  const std::string old_token = Craft(kNodeHeader, ValidClaims(), old_key_);
  const std::string new_token = Craft(kNodeHeader, ValidClaims(), key_);
  const HmacSha256Key* old_then_new[] = {&old_key_, &key_};
  const HmacSha256Key* new_then_old[] = {&key_, &old_key_};
  for (absl::Span<const HmacSha256Key* const> keys :
       {absl::Span<const HmacSha256Key* const>(old_then_new),
        absl::Span<const HmacSha256Key* const>(new_then_old)}) {
    EXPECT_THAT(verifier_->Verify(old_token, keys), IsOk());
    EXPECT_THAT(verifier_->Verify(new_token, keys), IsOk());
    EXPECT_EQ(
        VerificationFailureOf(
            verifier_
                ->Verify(Craft(kNodeHeader, ValidClaims(), other_key_), keys)
                .status()),
        VerificationFailure::kBadSignature);
  }
}

TEST_F(CapabilityVerifierTest, AfterRotationTheOldKeyNoLongerVerifies) {
  const std::string old_token = Craft(kNodeHeader, ValidClaims(), old_key_);
  EXPECT_EQ(VerificationFailureOf(Verify(old_token).status()),
            VerificationFailure::kBadSignature);
}

TEST_F(CapabilityVerifierTest, NoKeysVerifyNothing) {
  EXPECT_EQ(
      VerificationFailureOf(
          verifier_
              ->Verify(kCc09Token, absl::Span<const HmacSha256Key* const>())
              .status()),
      VerificationFailure::kBadSignature);
}

}  // namespace
}  // namespace captoken::token
