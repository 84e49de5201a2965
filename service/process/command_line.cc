#include "service/process/command_line.h"

#include <cstdlib>
#include <iostream>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"

namespace captoken::process {

const char* UsageIfHelpAsked(int argc, const char* const* argv,
                             UsageFor usage_for) {
  bool asked = false;
  absl::string_view command;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") break;  // What follows is not a flag.
    if (arg == "--help" || arg == "-h" || arg == "-help") {
      asked = true;
    } else if (command.empty() && (arg == "-" || !absl::StartsWith(arg, "-"))) {
      // "-" is a word too: standard input, given as an argument.
      command = arg;
    }
  }
  return asked ? usage_for(command) : nullptr;
}

std::vector<char*> ParseCommandLineOrHelp(int argc, char** argv,
                                          UsageFor usage_for) {
  if (const char* usage = UsageIfHelpAsked(argc, argv, usage_for)) {
    std::cout << usage << std::flush;
    std::exit(0);
  }
  absl::SetProgramUsageMessage(usage_for(""));
  return absl::ParseCommandLine(argc, argv);
}

std::vector<char*> ParseCommandLineOrHelp(int argc, char** argv,
                                          const char* usage) {
  return ParseCommandLineOrHelp(argc, argv,
                                [usage](absl::string_view) { return usage; });
}

}  // namespace captoken::process
