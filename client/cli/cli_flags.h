// File: cli_flags.h
// -----------------------------------------------------------------------------
//
// The `captoken` command's flags. Every subcommand reads the ones it uses;
// `captoken <command> --help` lists them per command. NormalizeFlagNames
// lets them be spelt with dashes.

#ifndef CAPTOKEN_CLIENT_CLI_CLI_FLAGS_H_
#define CAPTOKEN_CLIENT_CLI_CLI_FLAGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/time/time.h"

ABSL_DECLARE_FLAG(std::string, request);
ABSL_DECLARE_FLAG(std::string, auth_token_env);
ABSL_DECLARE_FLAG(std::string, auth_token_file);
ABSL_DECLARE_FLAG(std::string, api_key_secret_env);
ABSL_DECLARE_FLAG(std::string, api_key_secret_file);
ABSL_DECLARE_FLAG(int64_t, issued_at);
ABSL_DECLARE_FLAG(std::string, account_sid);
ABSL_DECLARE_FLAG(int64_t, at);
ABSL_DECLARE_FLAG(absl::Duration, leeway);
ABSL_DECLARE_FLAG(std::string, server);
ABSL_DECLARE_FLAG(absl::Duration, deadline);
ABSL_DECLARE_FLAG(std::string, tls_ca_file);
ABSL_DECLARE_FLAG(std::string, tls_cert_file);
ABSL_DECLARE_FLAG(std::string, tls_key_file);

namespace captoken::cli {

// NormalizeFlagNames returns argv with each flag's name spelt with
// underscores (--auth-token-env=X becomes --auth_token_env=X): flags are
// documented with dashes, as command-line tools spell them, and Abseil
// names them with underscores. Values, single-dash arguments and
// everything after "--" are left as they are.
std::vector<std::string> NormalizeFlagNames(int argc, const char* const* argv);

}  // namespace captoken::cli

#endif  // CAPTOKEN_CLIENT_CLI_CLI_FLAGS_H_
