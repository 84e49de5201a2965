// File: cli_io.h
// -----------------------------------------------------------------------------
//
// Input helpers shared by the `captoken` subcommands: the request and token
// arguments (inline, @file or - for standard input) and the auth token
// (--auth-token-env or --auth-token-file), and the API key secret
// (--api-key-secret-env or --api-key-secret-file).

#ifndef CAPTOKEN_CLIENT_CLI_CLI_IO_H_
#define CAPTOKEN_CLIENT_CLI_CLI_IO_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/token/api_key.h"
#include "service/token/crypto.h"

namespace captoken::cli {

// ReadArgument returns `argument`, or the contents of the file it names if
// it starts with '@', or standard input if it is "-". Surrounding whitespace
// (a trailing newline, say) is removed.
absl::StatusOr<std::string> ReadArgument(absl::string_view argument);

// ReadAuthTokenKey loads the auth token from --auth-token-env or
// --auth-token-file (exactly one must be set) into a prepared HMAC key.
// Error messages name the source, never the secret.
absl::StatusOr<token::HmacSha256Key> ReadAuthTokenKey();

// ReadApiKey loads the secret of the API key `sid` from
// --api-key-secret-env or --api-key-secret-file (exactly one must be set).
// Error messages name the source, never the secret.
absl::StatusOr<token::ApiKey> ReadApiKey(absl::string_view sid);

}  // namespace captoken::cli

#endif  // CAPTOKEN_CLIENT_CLI_CLI_IO_H_
