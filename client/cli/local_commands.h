// File: local_commands.h
// -----------------------------------------------------------------------------
//
// The subcommands that work without a server: `sign`, `verify` (with a
// local auth token) and `decode`. Each returns the process exit status:
// 0 on success (for verify: only for a valid token), 1 otherwise, with the
// reason on standard error. Output goes to standard output.

#ifndef CAPTOKEN_CLIENT_CLI_LOCAL_COMMANDS_H_
#define CAPTOKEN_CLIENT_CLI_LOCAL_COMMANDS_H_

#include <string>
#include <vector>

namespace captoken::cli {

// `captoken sign capability --request=JSON --auth-token-env=VAR
// [--issued-at=SECONDS]`: prints the token.
int RunSignCapability(const std::vector<std::string>& args);

// `captoken verify --auth-token-env=VAR [--account-sid=AC…] [--at=SECONDS]
// TOKEN`: prints the verdict as JSON (captoken.v1.VerifyTokenResponse).
int RunVerifyLocally(const std::vector<std::string>& args);

// `captoken decode TOKEN`: prints header and claims without verifying.
int RunDecode(const std::vector<std::string>& args);

}  // namespace captoken::cli

#endif  // CAPTOKEN_CLIENT_CLI_LOCAL_COMMANDS_H_
