#include "service/process/command_line.h"

#include <cstdlib>
#include <iostream>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/string_view.h"

namespace captoken::process {

std::vector<char*> ParseCommandLineOrHelp(int argc, char** argv,
                                          const char* usage) {
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") break;  // What follows is not a flag.
    if (arg == "--help" || arg == "-h" || arg == "-help") {
      std::cout << usage << std::flush;
      std::exit(0);
    }
  }
  absl::SetProgramUsageMessage(usage);
  return absl::ParseCommandLine(argc, argv);
}

}  // namespace captoken::process
