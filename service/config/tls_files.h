// File: tls_files.h
// -----------------------------------------------------------------------------
//
// CheckTlsFiles loads the server's TLS files the way a handshake will use
// them, so that a garbage certificate, a garbage key, a key that does not
// match the certificate, or a client CA file with no certificate is found
// before the server listens, not by every client's failed handshake after.
// Files are read as secret files are (secrets/secret_source.h): opened
// without blocking, regular files only, bounded in size, and the private
// key's bytes wiped after use. Errors name the config field and the path,
// never the content.
//
// Example:
//
//   if (settings.tls.has_value()) {
//     CAPTOKEN_RETURN_IF_ERROR(CheckTlsFiles(*settings.tls));
//   }

#ifndef CAPTOKEN_SERVICE_CONFIG_TLS_FILES_H_
#define CAPTOKEN_SERVICE_CONFIG_TLS_FILES_H_

#include "absl/status/status.h"
#include "service/config/server_config.h"

namespace captoken::config {

// Fails with INVALID_ARGUMENT (or the file's read error) naming the field
// (transport.tls.certificate_file, .private_key_file, .client_ca_file) and
// its path.
absl::Status CheckTlsFiles(const TlsSettings& tls);

}  // namespace captoken::config

#endif  // CAPTOKEN_SERVICE_CONFIG_TLS_FILES_H_
