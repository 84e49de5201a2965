// File: command_line.h
// -----------------------------------------------------------------------------
//
// ParseCommandLineOrHelp is absl::ParseCommandLine for captoken's binaries,
// with the --help they all promise: `--help`, `-h` or `-help` anywhere
// prints the binary's usage text alone on standard output and exits 0.
// Abseil's own --help handling prints the text after the program's name and
// a flag dump, and exits 1, which scripts read as a failure.
//
// Example:
//
//   int main(int argc, char** argv) {
//     captoken::process::ParseCommandLineOrHelp(argc, argv, kUsage);
//     ...
//   }

#ifndef CAPTOKEN_SERVICE_PROCESS_COMMAND_LINE_H_
#define CAPTOKEN_SERVICE_PROCESS_COMMAND_LINE_H_

#include <vector>

namespace captoken::process {

// Returns the positional arguments, as absl::ParseCommandLine does (which
// exits 1 on an unknown or malformed flag).
std::vector<char*> ParseCommandLineOrHelp(int argc, char** argv,
                                          const char* usage);

}  // namespace captoken::process

#endif  // CAPTOKEN_SERVICE_PROCESS_COMMAND_LINE_H_
