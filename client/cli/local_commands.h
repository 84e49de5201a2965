// File: local_commands.h
// -----------------------------------------------------------------------------
//
// The subcommands that work without a server: `sign`, `verify` (with a
// local auth token or API key secret) and `decode`. Each returns the
// process exit status: 0 on success (for verify: only for a valid token),
// 1 otherwise, with the reason on standard error. Output goes to standard
// output.

#ifndef CAPTOKEN_CLIENT_CLI_LOCAL_COMMANDS_H_
#define CAPTOKEN_CLIENT_CLI_LOCAL_COMMANDS_H_

#include <string>
#include <vector>

namespace captoken::cli {

// `captoken sign capability --request=JSON --auth-token-env=VAR
// [--issued-at=SECONDS]`: prints the token.
int RunSignCapability(const std::vector<std::string>& args);

// `captoken sign taskrouter --request=JSON --auth-token-env=VAR
// [--issued-at=SECONDS]`: prints the TaskRouter token.
int RunSignTaskRouter(const std::vector<std::string>& args);

// `captoken sign access --request=JSON --api-key-secret-env=VAR
// [--issued-at=SECONDS]`: prints the Access Token, signed with the API key
// the request's api_key_sid names.
int RunSignAccess(const std::vector<std::string>& args);

// `captoken verify (--auth-token-env=VAR | --api-key-secret-env=VAR)
// [--account-sid=AC…] [--at=SECONDS] TOKEN`: prints the verdict as JSON
// (captoken.v1.VerifyTokenResponse). The token's kind says which secret it
// needs: the auth token for capability and TaskRouter tokens, the API key
// secret for Access Tokens.
int RunVerifyLocally(const std::vector<std::string>& args);

// `captoken decode TOKEN`: prints header and claims without verifying.
int RunDecode(const std::vector<std::string>& args);

}  // namespace captoken::cli

#endif  // CAPTOKEN_CLIENT_CLI_LOCAL_COMMANDS_H_
