// File: commands.h
// -----------------------------------------------------------------------------
//
// RunCommand dispatches the `captoken` command line, once its flags are
// parsed, to the subcommand its words name (local_commands.h,
// remote_commands.h).

#ifndef CAPTOKEN_CLIENT_CLI_COMMANDS_H_
#define CAPTOKEN_CLIENT_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace captoken::cli {

// RunCommand runs the command `words` name (the positional arguments after
// the program's name: "sign", "capability", ...) and returns the process
// exit status. No words prints the overview on standard error (exit 1);
// `help [COMMAND]` prints the overview or the command's help on standard
// output (exit 0).
int RunCommand(std::vector<std::string> words);

}  // namespace captoken::cli

#endif  // CAPTOKEN_CLIENT_CLI_COMMANDS_H_
