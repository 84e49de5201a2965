#include "service/process/command_line.h"

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "gtest/gtest.h"

ABSL_FLAG(int, command_line_test_flag, 0, "a flag for the test");

namespace captoken::process {
namespace {

constexpr char kUsage[] = "usage: command_line_test [--flag]\n";

// Runs ParseCommandLineOrHelp on `args` (after a program name).
std::vector<std::string> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "command_line_test");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  std::vector<std::string> positional;
  for (char* arg : ParseCommandLineOrHelp(static_cast<int>(argv.size()),
                                          argv.data(), kUsage)) {
    positional.push_back(arg);
  }
  return positional;
}

TEST(ParseCommandLineOrHelpDeathTest, HelpPrintsTheUsageAndExitsZero) {
  for (const char* help : {"--help", "-h", "-help"}) {
    EXPECT_EXIT(Parse({"--command_line_test_flag=1", help}),
                ::testing::ExitedWithCode(0), "")
        << help;
  }
}

TEST(ParseCommandLineOrHelpDeathTest, UnknownFlagExitsNonZero) {
  EXPECT_EXIT(Parse({"--no_such_flag"}), ::testing::ExitedWithCode(1), "");
}

TEST(ParseCommandLineOrHelpTest, ParsesFlagsAndKeepsPositionals) {
  const std::vector<std::string> positional =
      Parse({"--command_line_test_flag=7", "file", "--", "--help"});
  EXPECT_EQ(absl::GetFlag(FLAGS_command_line_test_flag), 7);
  // The program name, then the positionals; "--help" after "--" is one.
  EXPECT_EQ(positional,
            (std::vector<std::string>{"command_line_test", "file", "--help"}));
}

}  // namespace
}  // namespace captoken::process
