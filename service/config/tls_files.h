// File: tls_files.h
// -----------------------------------------------------------------------------
//
// LoadTlsFiles reads the server's TLS files and loads them the way a
// handshake will use them, so that a garbage certificate, a garbage key, a
// key that does not match the certificate, or a client CA file with no
// certificate is found before the server listens, and before a replacement
// is served (serve/tls_mirror.h), not by every client's failed handshake.
// Files are read as secret files are (secrets/secret_source.h): opened
// without blocking, regular files only, bounded in size, and the private
// key's bytes wiped after use. Errors name the config field and the path,
// never the content.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(TlsFileContents files,
//                             LoadTlsFiles(*settings.tls));

#ifndef CAPTOKEN_SERVICE_CONFIG_TLS_FILES_H_
#define CAPTOKEN_SERVICE_CONFIG_TLS_FILES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/config/server_config.h"
#include "service/token/secret.h"

namespace captoken::config {

// The bytes of the three files, as read, once they loaded together.
struct TlsFileContents {
  std::string certificate_chain;
  token::Secret private_key;
  std::string client_ca;  // Empty without mutual TLS.

  // Whether `other` holds the same bytes (the key compared in constant
  // time), so a refresh can tell a change from a rewrite of the same files.
  bool SameAs(const TlsFileContents& other) const;
};

// Fails with INVALID_ARGUMENT (or the file's read error) naming the field
// (transport.tls.certificate_file, .private_key_file, .client_ca_file) and
// its path.
absl::StatusOr<TlsFileContents> LoadTlsFiles(const TlsSettings& tls);

}  // namespace captoken::config

#endif  // CAPTOKEN_SERVICE_CONFIG_TLS_FILES_H_
