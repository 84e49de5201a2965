// Tests for commands.h: the words of the command line choose the
// subcommand, and a wrong word says what was expected.

#include "client/cli/commands.h"

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "client/cli/cli_flags.h"
#include "client/cli/run_captured.h"
#include "client/cli/usage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace captoken::cli {
namespace {

using ::testing::IsEmpty;
using ::testing::StartsWith;

Captured RunWords(std::vector<std::string> words) {
  return RunCaptured(
      [](const std::vector<std::string>& args) { return RunCommand(args); },
      words);
}

class CommandsTest : public ::testing::Test {
 protected:
  absl::FlagSaver saver_;
};

TEST_F(CommandsTest, NoCommandPrintsTheOverviewAsAnError) {
  const Captured run = RunWords({});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_EQ(run.err, UsageOf(""));
}

TEST_F(CommandsTest, HelpIsACommandToo) {
  Captured run = RunWords({"help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, UsageOf(""));
  run = RunWords({"help", "mint"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, UsageOf("mint"));
}

TEST_F(CommandsTest, AnUnknownCommandPointsAtHelp) {
  const Captured run = RunWords({"sing"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "captoken: unknown command; run `captoken --help`\n");
}

TEST_F(CommandsTest, SignAndMintNeedAKnownKind) {
  for (const char* kind : {"", "batch", "Capability"}) {
    Captured run = RunWords({"sign", kind});
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_THAT(run.err,
                StartsWith("captoken: usage: captoken sign "
                           "capability|taskrouter|access --request=JSON"))
        << kind;
    run = RunWords({"mint", kind});
    EXPECT_EQ(run.exit_code, 1);
    if (std::string(kind) != "batch") {
      EXPECT_THAT(run.err, StartsWith("captoken: usage: captoken mint "
                                      "capability|taskrouter|access|batch"))
          << kind;
    }
  }
}

TEST_F(CommandsTest, TheKindIsTakenOffTheArguments) {
  // `sign capability` runs with no arguments left, so this fails on the
  // missing request rather than on an argument.
  const Captured run = RunWords({"sign", "capability"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err,
            "captoken: INVALID_ARGUMENT: --request=JSON is required\n");
}

TEST_F(CommandsTest, VerifyGoesToTheServerOnlyWithServer) {
  // Locally, a token the verifier cannot read is a verdict on stdout.
  Captured run = RunWords({"verify", "x"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, StartsWith(R"({"valid":false,)"));
  // Through a server, the TLS flags are checked before connecting.
  absl::SetFlag(&FLAGS_server, "127.0.0.1:1");
  absl::SetFlag(&FLAGS_tls_cert_file, "cert.pem");
  run = RunWords({"verify", "x"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_EQ(run.err,
            "captoken: INVALID_ARGUMENT: --tls_cert_file and --tls_key_file "
            "need --tls_ca_file\n");
}

}  // namespace
}  // namespace captoken::cli
