// File: server_config.h
// -----------------------------------------------------------------------------
//
// Reads and checks the server's configuration (captoken.v1.ServerConfig in
// protobuf text format) and turns it into ServerSettings with every default
// filled in. Everything that can be wrong with a config is found here, at
// start-up, with a message that names the field (never a secret: the config
// holds only where secrets live).
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(v1::ServerConfig config,
//                             ReadServerConfigFile(path));
//   CAPTOKEN_ASSIGN_OR_RETURN(ServerSettings settings,
//                             ServerSettingsFromConfig(config));

#ifndef CAPTOKEN_SERVICE_CONFIG_SERVER_CONFIG_H_
#define CAPTOKEN_SERVICE_CONFIG_SERVER_CONFIG_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "captoken/v1/config.pb.h"
#include "service/authz/caller_policy.h"
#include "service/token/capability_scope.h"
#include "service/token/capability_spec.h"
#include "service/token/jwt_verifier.h"

namespace captoken::config {

// The development account `./dev server` serves without a config. Its auth
// token is published in the README: never use it for a real account.
inline constexpr absl::string_view kDevelopmentAccountSid =
    "AC00000000000000000000000000000000";
inline constexpr absl::string_view kDevelopmentAuthToken =
    "captoken-development-auth-token";
// The development account's API key, so that Access Tokens can be minted
// without a config. Public like the auth token: never a real key.
inline constexpr absl::string_view kDevelopmentApiKeySid =
    "SK00000000000000000000000000000000";
inline constexpr absl::string_view kDevelopmentApiKeySecret =
    "captoken-development-api-key-secret";
inline constexpr absl::string_view kDefaultListenAddress = "127.0.0.1:50051";

// ApiKeySettings is one API key of an account (Access Tokens).
struct ApiKeySettings {
  // "SK" + 32 hex digits.
  std::string sid;
  v1::SecretSource secret;
  // Verifies, never signs (a key being retired).
  bool verify_only = false;
};

// AccountSettings is one account of the config.
struct AccountSettings {
  std::string account_sid;
  v1::SecretSource auth_token;
  // Accepted when verifying, never used to mint (rotation).
  absl::optional<v1::SecretSource> secondary_auth_token;
  bool verify_only = false;
  // In config order: a request that names no key gets the first that may
  // sign.
  std::vector<ApiKeySettings> api_keys;
};

// AccountDirectorySettings is one of account_directories.
struct AccountDirectorySettings {
  std::string path;
  // How policies name it; the path unless the config names it.
  std::string name;
};

// TlsSettings are the files of transport { tls { ... } }.
// AuditSettings say what happens when audit lines cannot be queued (a
// stalled log reader, a full pipe): by default a call's tokens are returned
// only after its audit lines were accepted, waiting up to `wait` for room,
// else the call fails with UNAVAILABLE. With `drop_when_full`, the lines are
// dropped instead and counted (metric and log), and the tokens returned.
struct AuditSettings {
  bool drop_when_full = false;
  absl::Duration wait = absl::Seconds(1);
};

struct TlsSettings {
  std::string certificate_file;
  std::string private_key_file;
  // Set for mutual TLS.
  std::string client_ca_file;
  std::string crl_directory;
  absl::Duration refresh_interval = absl::Seconds(60);
};

// ServerSettings is a checked config with every default applied.
struct ServerSettings {
  std::string listen_address;
  // True when a sidecar terminates TLS (transport { mesh_sidecar {} }).
  bool behind_mesh_sidecar = false;
  // True when the sidecar's x-forwarded-client-cert names the caller.
  bool trust_forwarded_client_cert = false;
  // Set when the server terminates TLS itself.
  absl::optional<TlsSettings> tls;
  std::vector<AccountSettings> accounts;
  std::vector<AccountDirectorySettings> account_directories;
  // The compiled caller policies; open() when the config has none.
  std::shared_ptr<const authz::CallerPolicies> callers;
  // How often secret files are checked for changes; zero: never.
  absl::Duration secret_watch_interval = absl::Seconds(10);
  token::Profile default_profile = token::Profile::kTwilioPython;
  token::SigningLimits signing_limits;
  size_t max_request_bytes = 64 * 1024;
  int max_concurrent_streams = 100;
  // Connections are closed gracefully after this long (0: never), so that
  // clients balancing over DNS re-resolve and find new replicas.
  absl::Duration max_connection_age = absl::ZeroDuration();
  // Set from the command line (--audit, --audit_wait).
  AuditSettings audit;
  // Tokens longer than this are not examined by VerifyToken.
  size_t max_verify_token_bytes = token::kMaxVerifyTokenBytes;
  // Most requests in one BatchMint.
  size_t max_batch_requests = 100;
  // The most memory clients can make the server hold for their calls
  // (limits.max_server_memory_bytes): half is gRPC's resource quota, half
  // the budget for responses not yet read (token_server.cc says why).
  size_t max_server_memory_bytes = size_t{256} << 20;
  // A connection with a call open whose client sends nothing, not even a
  // ping acknowledgement, for this long is closed (gRPC keepalive).
  absl::Duration silent_client_timeout = absl::Seconds(20);
};

// ReadServerConfigFile parses the text-format config at `path`.
//
// Fails with NOT_FOUND if the file cannot be read and INVALID_ARGUMENT if it
// does not parse (an unknown field, a bad value), naming the path, line and
// column and what was wrong in a fixed phrase (TextFormatErrorPhrase), never
// any text from the file.
absl::StatusOr<v1::ServerConfig> ReadServerConfigFile(absl::string_view path);

// ServerSettingsFromConfig checks `config` and applies the defaults.
//
// Fails with INVALID_ARGUMENT naming the first problem: no accounts and no
// account directories, an account directory without a path, with a
// malformed name, or whose path or name is repeated, a caller policy's
// account set naming no configured directory, a malformed or repeated
// account SID, an account without an auth token
// source, an API key whose SID is malformed or appears twice anywhere in
// the config, an API key without a secret source, a non-loopback listen address
// without a transport or without caller policies (default deny beyond
// loopback), caller policies with no way to identify callers, TLS without its
// certificate or key, a lifetime outside (0, 24 h] or a default lifetime above
// the maximum, a bad caller policy (see CallerPolicies::Compile), or a limit
// out of range (limits.silent_client_timeout also if not whole seconds).
absl::StatusOr<ServerSettings> ServerSettingsFromConfig(
    const v1::ServerConfig& config);

// DevelopmentSettings returns the settings of a server started without a
// config: every default, on kDefaultListenAddress. Its one account (the
// development account) is not read from a source; the caller adds it.
ServerSettings DevelopmentSettings();

// IsLoopbackAddress reports whether `host_port` ("127.0.0.1:50051",
// "[::1]:0", "localhost:8080") listens on loopback only.
bool IsLoopbackAddress(absl::string_view host_port);

}  // namespace captoken::config

#endif  // CAPTOKEN_SERVICE_CONFIG_SERVER_CONFIG_H_
