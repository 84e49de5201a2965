// File: remote_commands.h
// -----------------------------------------------------------------------------
//
// The subcommands that go through a running server (--server=HOST:PORT):
// `mint capability|taskrouter|access|batch`, `verify` and `whoami`. Same
// conventions as the local ones: results on standard output, reasons on
// standard error, exit status 0 only on success.

#ifndef CAPTOKEN_CLIENT_CLI_REMOTE_COMMANDS_H_
#define CAPTOKEN_CLIENT_CLI_REMOTE_COMMANDS_H_

#include <string>
#include <vector>

namespace captoken::cli {

// `captoken mint capability --server=HOST:PORT --request=JSON`: prints the
// token the server signed.
int RunMintCapability(const std::vector<std::string>& args);

// `captoken mint taskrouter ...`: the same for a TaskRouterRequest.
int RunMintTaskRouter(const std::vector<std::string>& args);

// `captoken mint access ...`: the same for an AccessTokenRequest.
int RunMintAccess(const std::vector<std::string>& args);

// `captoken mint batch --server=HOST:PORT --request=JSON`: sends a
// BatchMintRequest and prints the BatchMintResponse as JSON; exits 0 only
// if every item was signed.
int RunMintBatch(const std::vector<std::string>& args);

// `captoken verify --server=HOST:PORT [--account-sid=AC…] TOKEN`: prints the
// server's verdict as JSON.
int RunVerifyRemotely(const std::vector<std::string>& args);

// `captoken whoami --server=HOST:PORT`: prints who the server thinks this
// client is and what it may do (captoken.v1.GetCallerPolicyResponse).
int RunWhoAmI(const std::vector<std::string>& args);

}  // namespace captoken::cli

#endif  // CAPTOKEN_CLIENT_CLI_REMOTE_COMMANDS_H_
