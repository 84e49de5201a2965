// Tests for cli_io.h: arguments inline, from a file or standard input, and
// secrets from exactly one of an environment variable or a file, with
// errors that name where the secret was looked for and never the secret.

#include "client/cli/cli_io.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/cli/cli_flags.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_keys.h"

namespace captoken::cli {
namespace {

using ::captoken::testing::StatusIs;
using ::captoken::testing::TestKey;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "cli-io-test-secret-0123456789";

std::string WriteFile(absl::string_view name, absl::string_view contents) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/", name);
  std::ofstream(path) << contents;
  return path;
}

// Whether `key` is the key of `secret`.
bool IsKeyOf(const token::HmacSha256Key& key, absl::string_view secret) {
  return key.Compute("message") == TestKey(secret).Compute("message");
}

class CliIoTest : public ::testing::Test {
 protected:
  ~CliIoTest() override { unsetenv("CLI_IO_TEST_SECRET"); }
  absl::FlagSaver saver_;
};

TEST_F(CliIoTest, ReadArgumentTakesItInlineWithoutSurroundingSpace) {
  EXPECT_EQ(ReadArgument("  {\"a\":1}\n").value_or(""), "{\"a\":1}");
}

TEST_F(CliIoTest, ReadArgumentReadsAFileAfterAnAt) {
  const std::string path = WriteFile("argument.json", "{\"b\":2}\n");
  EXPECT_EQ(ReadArgument(absl::StrCat("@", path)).value_or(""), "{\"b\":2}");
  EXPECT_THAT(
      ReadArgument("@/no/such/file"),
      StatusIs(absl::StatusCode::kNotFound, Eq("cannot read /no/such/file")));
}

TEST_F(CliIoTest, ReadArgumentReadsStandardInputForADash) {
  std::istringstream input("eyJ.token.sig\n");
  std::streambuf* const original = std::cin.rdbuf(input.rdbuf());
  const absl::StatusOr<std::string> read = ReadArgument("-");
  std::cin.rdbuf(original);
  EXPECT_EQ(read.value_or(""), "eyJ.token.sig");
}

TEST_F(CliIoTest, TheAuthTokenComesFromTheVariable) {
  setenv("CLI_IO_TEST_SECRET", kSecret, 1);
  absl::SetFlag(&FLAGS_auth_token_env, "CLI_IO_TEST_SECRET");
  absl::StatusOr<token::HmacSha256Key> key = ReadAuthTokenKey();
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_TRUE(IsKeyOf(*key, kSecret));
}

TEST_F(CliIoTest, TheAuthTokenComesFromTheFileWithoutItsNewline) {
  absl::SetFlag(&FLAGS_auth_token_file,
                WriteFile("auth-token", absl::StrCat(kSecret, "\n")));
  absl::StatusOr<token::HmacSha256Key> key = ReadAuthTokenKey();
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_TRUE(IsKeyOf(*key, kSecret));
}

TEST_F(CliIoTest, ExactlyOneSourceOfTheAuthTokenIsRequired) {
  const auto exactly_one =
      StatusIs(absl::StatusCode::kInvalidArgument,
               Eq("give the auth token with exactly one of "
                  "--auth-token-env=VAR or --auth-token-file=PATH"));
  EXPECT_THAT(ReadAuthTokenKey(), exactly_one);
  absl::SetFlag(&FLAGS_auth_token_env, "CLI_IO_TEST_SECRET");
  absl::SetFlag(&FLAGS_auth_token_file, WriteFile("both", kSecret));
  EXPECT_THAT(ReadAuthTokenKey(), exactly_one);
}

TEST_F(CliIoTest, AMissingSecretNamesItsSourceOnly) {
  absl::SetFlag(&FLAGS_auth_token_env, "CLI_IO_TEST_SECRET");
  EXPECT_THAT(ReadAuthTokenKey(), StatusIs(absl::StatusCode::kNotFound,
                                           HasSubstr("CLI_IO_TEST_SECRET")));
  // The wrong flag's secret is not read for the other.
  setenv("CLI_IO_TEST_SECRET", kSecret, 1);
  absl::SetFlag(&FLAGS_auth_token_env, "");
  absl::SetFlag(&FLAGS_api_key_secret_env, "CLI_IO_TEST_SECRET");
  EXPECT_THAT(ReadAuthTokenKey(), StatusIs(absl::StatusCode::kInvalidArgument,
                                           Not(HasSubstr(kSecret))));
}

TEST_F(CliIoTest, TheApiKeyIsTheNamedSidWithTheGivenSecret) {
  setenv("CLI_IO_TEST_SECRET", kSecret, 1);
  absl::SetFlag(&FLAGS_api_key_secret_env, "CLI_IO_TEST_SECRET");
  absl::StatusOr<token::ApiKey> key =
      ReadApiKey("SK00112233445566778899aabbccddeeff");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->sid(), "SK00112233445566778899aabbccddeeff");
  EXPECT_TRUE(IsKeyOf(key->hmac_key(), kSecret));

  absl::SetFlag(&FLAGS_api_key_secret_env, "");
  EXPECT_THAT(ReadApiKey("SK00112233445566778899aabbccddeeff"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("give the API key secret with exactly one of "
                          "--api-key-secret-env=VAR or "
                          "--api-key-secret-file=PATH")));
}

}  // namespace
}  // namespace captoken::cli
