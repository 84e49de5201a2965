#include "service/process/command_line.h"

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
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

TEST(ParseCommandLineOrHelpDeathTest, HelpPrintsTheCommandsUsage) {
  std::vector<std::string> args = {"command_line_test", "sign", "--help"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  EXPECT_EXIT(
      {
        ParseCommandLineOrHelp(static_cast<int>(argv.size()), argv.data(),
                               [](absl::string_view command) {
                                 // Standard error, which the death test can
                                 // see.
                                 std::cerr << "usage of [" << command << "]";
                                 return "";
                               });
      },
      ::testing::ExitedWithCode(0), "usage of \\[sign\\]");
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

// What UsageIfHelpAsked returns for `args` (after a program name): the
// command it chose, in brackets, or "no help".
std::string HelpFor(std::vector<const char*> args) {
  args.insert(args.begin(), "command_line_test");
  const char* usage =
      UsageIfHelpAsked(static_cast<int>(args.size()), args.data(),
                       [](absl::string_view command) {
                         static std::string chosen;
                         chosen = absl::StrCat("[", command, "]");
                         return chosen.c_str();
                       });
  return usage == nullptr ? "no help" : usage;
}

TEST(UsageIfHelpAsked, EverySpellingAnywhereAsks) {
  for (const char* help : {"--help", "-h", "-help"}) {
    EXPECT_EQ(HelpFor({help}), "[]") << help;
    EXPECT_EQ(HelpFor({"--flag=1", help, "--other"}), "[]") << help;
  }
}

TEST(UsageIfHelpAsked, TheFirstWordIsTheCommand) {
  EXPECT_EQ(HelpFor({"sign", "capability", "--help"}), "[sign]");
  EXPECT_EQ(HelpFor({"-h", "--server=x", "verify", "TOKEN"}), "[verify]");
  EXPECT_EQ(HelpFor({"-", "-h"}), "[-]");
}

TEST(UsageIfHelpAsked, OnlyHelpFlagsBeforeDashDashAsk) {
  EXPECT_EQ(HelpFor({}), "no help");
  EXPECT_EQ(HelpFor({"help", "--helpful", "--h", "-hh"}), "no help");
  EXPECT_EQ(HelpFor({"decode", "--", "--help"}), "no help");
}

}  // namespace
}  // namespace captoken::process
