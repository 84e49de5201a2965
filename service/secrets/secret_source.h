// File: secret_source.h
// -----------------------------------------------------------------------------
//
// Reads a secret (an auth token) from where operators keep them: an
// environment variable, or a file such as a Kubernetes secret mount. The
// bytes go straight into a token::Secret; intermediate buffers are wiped.
// Errors name the variable or the path, never the content.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(token::Secret auth_token,
//                             ReadSecretFromEnv("TWILIO_AUTH_TOKEN"));

#ifndef CAPTOKEN_SERVICE_SECRETS_SECRET_SOURCE_H_
#define CAPTOKEN_SERVICE_SECRETS_SECRET_SOURCE_H_

#include <cstddef>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/token/secret.h"

namespace captoken::secrets {

// ReadSecretFromEnv reads the environment variable `name`.
//
// Fails with NOT_FOUND if it is unset, INVALID_ARGUMENT if it is empty.
absl::StatusOr<token::Secret> ReadSecretFromEnv(absl::string_view name);

// ReadSecretFromFile reads the file at `path`. One trailing line ending
// ("\n" or "\r\n") is dropped, since `echo token > file` adds one.
//
// Fails with NOT_FOUND or PERMISSION_DENIED if the file cannot be opened,
// FAILED_PRECONDITION if it is not a regular file (a FIFO, a device, a
// directory: opened without blocking and refused, never read), and
// INVALID_ARGUMENT if it is empty or larger than 4 KiB (no auth token is
// that long; a bigger file is the wrong file).
absl::StatusOr<token::Secret> ReadSecretFromFile(absl::string_view path);

// ReadSensitiveFile reads a whole file that holds key material (a TLS
// private key, say) into wiped memory, the way ReadSecretFromFile does but
// without dropping a line ending. `what` names the file in errors ("TLS
// private key"); the content never appears in one.
//
// Fails like ReadSecretFromFile, with `max_bytes` as the size limit.
absl::StatusOr<token::Secret> ReadSensitiveFile(absl::string_view path,
                                                absl::string_view what,
                                                size_t max_bytes);

}  // namespace captoken::secrets

#endif  // CAPTOKEN_SERVICE_SECRETS_SECRET_SOURCE_H_
