// File: cli_flags.h
// -----------------------------------------------------------------------------
//
// The `captoken` command's flags. Every subcommand reads the ones it uses;
// `captoken <command> --help` lists them per command.

#ifndef CAPTOKEN_CLIENT_CLI_CLI_FLAGS_H_
#define CAPTOKEN_CLIENT_CLI_CLI_FLAGS_H_

#include <cstdint>
#include <string>

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

#endif  // CAPTOKEN_CLIENT_CLI_CLI_FLAGS_H_
