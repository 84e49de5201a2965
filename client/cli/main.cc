// captoken: sign, verify, decode and mint Twilio capability tokens,
// TaskRouter tokens and Access Tokens.
//
// `captoken --help` lists the commands; `captoken <command> --help` explains
// one. See docs/cli.md.

#include <string>
#include <vector>

#include "client/cli/cli_flags.h"
#include "client/cli/commands.h"
#include "client/cli/usage.h"
#include "service/process/command_line.h"

int main(int original_argc, char** original_argv) {
  std::vector<std::string> normalized =
      captoken::cli::NormalizeFlagNames(original_argc, original_argv);
  std::vector<char*> argv;
  for (std::string& arg : normalized) argv.push_back(arg.data());
  // Help exits 0 and shows only what matters: the command's own flags.
  const std::vector<char*> positional =
      captoken::process::ParseCommandLineOrHelp(
          static_cast<int>(argv.size()), argv.data(), &captoken::cli::UsageOf);
  return captoken::cli::RunCommand(
      std::vector<std::string>(positional.begin() + 1, positional.end()));
}
