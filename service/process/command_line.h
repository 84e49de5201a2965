// File: command_line.h
// -----------------------------------------------------------------------------
//
// ParseCommandLineOrHelp is absl::ParseCommandLine for captoken's binaries,
// with the --help they all promise: `--help`, `-h` or `-help` anywhere
// (before a "--") prints the binary's usage text alone on standard output
// and exits 0. Abseil's own --help handling prints the text after the
// program's name and a flag dump, and exits 1, which scripts read as a
// failure. A binary with commands (the `captoken` CLI) picks the text by
// the command the line names, so `captoken sign --help` explains `sign`.
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

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"

namespace captoken::process {

// UsageFor returns the usage text for a command line whose first word (the
// first argument that is not a flag; "" if there is none) is `command`.
// The text must live as long as the process.
using UsageFor = absl::FunctionRef<const char*(absl::string_view command)>;

// UsageIfHelpAsked returns usage_for(command) if the command line asks for
// help (--help, -h or -help before any "--"), else nullptr.
const char* UsageIfHelpAsked(int argc, const char* const* argv,
                             UsageFor usage_for);

// Returns the positional arguments, as absl::ParseCommandLine does (which
// exits 1 on an unknown or malformed flag). On help, prints the usage
// usage_for picks and exits 0; usage_for("") is the binary's own usage.
std::vector<char*> ParseCommandLineOrHelp(int argc, char** argv,
                                          UsageFor usage_for);

// The same for a binary with one usage text whatever the command line.
std::vector<char*> ParseCommandLineOrHelp(int argc, char** argv,
                                          const char* usage);

}  // namespace captoken::process

#endif  // CAPTOKEN_SERVICE_PROCESS_COMMAND_LINE_H_
