// File: usage.h
// -----------------------------------------------------------------------------
//
// The `captoken` command's help texts: `captoken --help` prints the
// overview, `captoken <command> --help` the command's flags
// (process::ParseCommandLineOrHelp picks the text by the command).

#ifndef CAPTOKEN_CLIENT_CLI_USAGE_H_
#define CAPTOKEN_CLIENT_CLI_USAGE_H_

#include "absl/strings/string_view.h"

namespace captoken::cli {

// UsageOf returns the help text of `command` ("sign", "mint", "verify",
// "decode", "whoami"), or the overview of every command for any other
// word, "" included.
const char* UsageOf(absl::string_view command);

}  // namespace captoken::cli

#endif  // CAPTOKEN_CLIENT_CLI_USAGE_H_
