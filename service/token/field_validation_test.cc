// Tests for field_validation.h: SID and text checks whose messages state the
// rule broken, never the value.

#include "service/token/field_validation.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kAccountSid = "AC0123456789abcdef0123456789abcdef";

// ---- IsSid / CheckSid -----------------------------------------------------

TEST(IsSid, AcceptsPrefixAnd32HexDigits) {
  EXPECT_TRUE(IsSid("AC", kAccountSid));
  EXPECT_TRUE(IsSid("AC", "AC0123456789ABCDEF0123456789ABCDEF"));
  EXPECT_TRUE(IsSid("AC", "AC00000000000000000000000000000000"));
  EXPECT_TRUE(IsSid("AP", "AP89abcdef0123456789abcdef01234567"));
  EXPECT_TRUE(IsSid("SK", "SKffffffffffffffffffffffffffffffff"));
}

TEST(IsSid, RefusesAnythingElse) {
  const std::vector<std::string> not_account_sids = {
      "",
      "AC",
      "AP0123456789abcdef0123456789abcdef",  // Another prefix.
      "ac0123456789abcdef0123456789abcdef",  // Lowercase prefix.
      "Ac0123456789abcdef0123456789abcdef",
      "AC0123456789abcdef0123456789abcde",    // 31 digits.
      "AC0123456789abcdef0123456789abcdef0",  // 33 digits.
      "AC0123456789abcdef0123456789abcdeg",   // Not hex.
      "AC0123456789abcdef 123456789abcdef",   // Space.
      "AC0123456789abcdef-123456789abcdef",
      " AC0123456789abcdef0123456789abcde",
      "AC0123456789abcdef0123456789abcdef\n",
      std::string("AC0123456789abcdef0123456789abcde\0", 34),
      "0123456789abcdef0123456789abcdefAC",
      "AC0123456789abcdef0123456789abc\xC3\xA9",  // 33 bytes, non-ASCII.
  };
  for (const std::string& value : not_account_sids) {
    EXPECT_FALSE(IsSid("AC", value)) << value;
  }
}

// Every byte value in every digit position, against the byte-at-a-time
// definition (absl::ascii_isxdigit).
TEST(IsSid, AgreesWithTheByteAtATimeDefinitionForEveryByte) {
  for (size_t position = 2; position < kAccountSid.size(); ++position) {
    for (int byte = 0; byte < 256; ++byte) {
      std::string value(kAccountSid);
      value[position] = static_cast<char>(byte);
      ASSERT_EQ(IsSid("AC", value),
                absl::ascii_isxdigit(static_cast<unsigned char>(byte)))
          << "byte " << byte << " at " << position;
    }
  }
}

TEST(CheckSid, AcceptsASid) {
  EXPECT_THAT(CheckSid("AC", kAccountSid), IsOk());
}

TEST(CheckSid, EmptyIsRequired) {
  EXPECT_THAT(CheckSid("AC", ""),
              StatusIs(absl::StatusCode::kInvalidArgument, "required"));
}

TEST(CheckSid, MalformedNamesTheShapeButNotTheValue) {
  const std::string value = "APdeadbeefdeadbeefdeadbeefdeadbeef";
  absl::Status status = CheckSid("AC", value);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               "must be \"AC\" followed by 32 hex digits"));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("deadbeef")));
  EXPECT_THAT(CheckSid("AP", "nope"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "must be \"AP\" followed by 32 hex digits"));
}

// ---- CheckText ------------------------------------------------------------

constexpr TextRules kRequired5{.max_bytes = 5, .required = true};
constexpr TextRules kOptional5{.max_bytes = 5, .required = false};

TEST(CheckText, AcceptsPrintableText) {
  EXPECT_THAT(CheckText("alice", TextRules()), IsOk());
  EXPECT_THAT(CheckText("John Smith <js@example.com> & co.", TextRules()),
              IsOk());
  EXPECT_THAT(
      CheckText("Jos\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", TextRules()),
      IsOk());
  EXPECT_THAT(CheckText("\xC2\xA0", TextRules()), IsOk());      // U+00A0
  EXPECT_THAT(CheckText("\xE2\x80\xA8", TextRules()), IsOk());  // U+2028
}

TEST(CheckText, DefaultsAre512BytesAndRequired) {
  const TextRules rules;
  EXPECT_EQ(rules.max_bytes, 512u);
  EXPECT_TRUE(rules.required);
  EXPECT_THAT(CheckText(std::string(512, 'a'), rules), IsOk());
  EXPECT_THAT(
      CheckText(std::string(513, 'a'), rules),
      StatusIs(absl::StatusCode::kInvalidArgument, "longer than 512 bytes"));
}

TEST(CheckText, EmptyIsRequiredOnlyWhenTheRulesSaySo) {
  EXPECT_THAT(CheckText("", kRequired5),
              StatusIs(absl::StatusCode::kInvalidArgument, "required"));
  EXPECT_THAT(CheckText("", kOptional5), IsOk());
}

TEST(CheckText, LengthIsCountedInBytes) {
  EXPECT_THAT(CheckText("abcde", kRequired5), IsOk());
  EXPECT_THAT(
      CheckText("abcdef", kRequired5),
      StatusIs(absl::StatusCode::kInvalidArgument, "longer than 5 bytes"));
  // Three characters, six bytes.
  EXPECT_THAT(
      CheckText("\xC3\xA9\xC3\xA9\xC3\xA9", kOptional5),
      StatusIs(absl::StatusCode::kInvalidArgument, "longer than 5 bytes"));
  EXPECT_THAT(CheckText("\xC3\xA9\xC3\xA9", kOptional5), IsOk());
}

TEST(CheckText, RefusesInvalidUtf8) {
  for (absl::string_view value : {"\xFF", "caf\xC3", "\xC0\xAF", "\xED\xA0\x80",
                                  "a\x80"
                                  "b",
                                  "\xF4\x90\x80\x80"}) {
    EXPECT_THAT(CheckText(value, TextRules()),
                StatusIs(absl::StatusCode::kInvalidArgument, "not valid UTF-8"))
        << value;
  }
}

TEST(CheckText, RefusesC0AndC1ControlsAndDel) {
  const std::vector<std::string> controls = {
      std::string("a\0b", 3),
      "\x01",
      "tab\there",
      "new\nline",
      "\r",
      "\x1b[31m",
      "\x1f",
      "\x7f",
      "\xC2\x80",  // U+0080
      "\xC2\x85",  // U+0085 (NEL)
      "\xC2\x9F",  // U+009F
  };
  for (const std::string& value : controls) {
    EXPECT_THAT(CheckText(value, TextRules()),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         "contains a control character"))
        << value;
  }
}

TEST(CheckText, LengthIsCheckedBeforeContent) {
  EXPECT_THAT(
      CheckText("\x01\x01\x01\x01\x01\x01", kRequired5),
      StatusIs(absl::StatusCode::kInvalidArgument, "longer than 5 bytes"));
}

TEST(CheckText, MessagesNeverContainTheValue) {
  const std::string secret = "secretvalue";
  for (const std::string& value :
       {secret + "\x01", secret + "\xFF", secret + std::string(600, 'x')}) {
    absl::Status status = CheckText(value, TextRules());
    ASSERT_FALSE(status.ok());
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr(secret)));
  }
}

// ---- InField --------------------------------------------------------------

TEST(InField, PrefixesTheFieldPath) {
  EXPECT_THAT(
      InField("account_sid", CheckSid("AC", "")),
      StatusIs(absl::StatusCode::kInvalidArgument, "account_sid: required"));
  EXPECT_THAT(InField("scopes[1].client_outgoing.params[0].key",
                      CheckText("", TextRules())),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "scopes[1].client_outgoing.params[0].key: required"));
}

TEST(InField, KeepsTheProblemMessageVerbatim) {
  EXPECT_THAT(InField("client_incoming.client_name",
                      absl::InvalidArgumentError("not valid UTF-8")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "client_incoming.client_name: not valid UTF-8"));
}

TEST(InField, IsAlwaysInvalidArgument) {
  EXPECT_THAT(InField("ttl", absl::OutOfRangeError("too long")),
              StatusIs(absl::StatusCode::kInvalidArgument, "ttl: too long"));
}

}  // namespace
}  // namespace captoken::token
