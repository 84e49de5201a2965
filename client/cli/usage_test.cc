// Tests for usage.h: each command's help names the flags it reads, and any
// other word gets the overview.

#include "client/cli/usage.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace captoken::cli {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(UsageOf, EachCommandHasItsOwnText) {
  EXPECT_THAT(UsageOf("sign"), StartsWith("captoken sign "));
  EXPECT_THAT(UsageOf("mint"), StartsWith("captoken mint "));
  EXPECT_THAT(UsageOf("verify"), StartsWith("captoken verify: "));
  EXPECT_THAT(UsageOf("decode"), StartsWith("captoken decode: "));
  EXPECT_THAT(UsageOf("whoami"), StartsWith("captoken whoami: "));
}

TEST(UsageOf, AnyOtherWordGetsTheOverview) {
  for (const char* word : {"", "help", "signs", "-"}) {
    EXPECT_THAT(UsageOf(word),
                AllOf(StartsWith("captoken: "),
                      HasSubstr("Run `captoken <command> --help`")))
        << word;
  }
}

TEST(UsageOf, SignAndVerifyNameEverySecretFlag) {
  for (const char* command : {"sign", "verify"}) {
    EXPECT_THAT(UsageOf(command),
                AllOf(HasSubstr("--auth-token-env=VAR"),
                      HasSubstr("--auth-token-file=PATH"),
                      HasSubstr("--api-key-secret-env=VAR"),
                      HasSubstr("--api-key-secret-file=PATH")))
        << command;
  }
  EXPECT_THAT(UsageOf("sign"), HasSubstr("--issued-at=SECONDS"));
  EXPECT_THAT(UsageOf("verify"),
              AllOf(HasSubstr("--at=SECONDS"), HasSubstr("--leeway=DURATION"),
                    HasSubstr("--account-sid=AC")));
}

TEST(UsageOf, ServerCommandsNameTheConnectionFlags) {
  for (const char* command : {"mint", "whoami"}) {
    EXPECT_THAT(UsageOf(command), AllOf(HasSubstr("--server=HOST:PORT"),
                                        HasSubstr("--tls-ca-file=PATH"),
                                        HasSubstr("--tls-cert-file=PATH"),
                                        HasSubstr("--tls-key-file=PATH"),
                                        HasSubstr("--deadline=DURATION")))
        << command;
  }
}

}  // namespace
}  // namespace captoken::cli
