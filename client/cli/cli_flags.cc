#include "client/cli/cli_flags.h"

#include <algorithm>

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, request, "",
          "the request as proto3 JSON, or @PATH to read it from a file, or - "
          "for standard input");
ABSL_FLAG(std::string, auth_token_env, "",
          "name of the environment variable that holds the auth token");
ABSL_FLAG(std::string, auth_token_file, "",
          "path of a file that holds the auth token (one trailing newline is "
          "ignored)");
ABSL_FLAG(std::string, api_key_secret_env, "",
          "name of the environment variable that holds the API key secret "
          "(Access Tokens)");
ABSL_FLAG(std::string, api_key_secret_file, "",
          "path of a file that holds the API key secret (Access Tokens; one "
          "trailing newline is ignored)");
ABSL_FLAG(int64_t, issued_at, -1,
          "sign as if the clock read this many seconds since the Unix epoch "
          "(default: now)");
ABSL_FLAG(std::string, account_sid, "",
          "verify: the account the token must belong to (default: any)");
ABSL_FLAG(int64_t, at, -1,
          "verify: check expiry as if the clock read this many seconds since "
          "the Unix epoch (default: now)");
ABSL_FLAG(absl::Duration, leeway, absl::ZeroDuration(),
          "verify: tolerated clock skew for exp and nbf, up to 10m");
ABSL_FLAG(std::string, server, "",
          "HOST:PORT of a captoken server (mint, and verify through it)");
ABSL_FLAG(absl::Duration, deadline, absl::Seconds(5),
          "how long to wait for the server");
ABSL_FLAG(std::string, tls_ca_file, "",
          "talk to the server over TLS, trusting this PEM CA bundle");
ABSL_FLAG(std::string, tls_cert_file, "",
          "with --tls_ca_file: present this PEM client certificate (mutual "
          "TLS)");
ABSL_FLAG(std::string, tls_key_file, "",
          "with --tls_cert_file: the client certificate's PEM private key");

namespace captoken::cli {

std::vector<std::string> NormalizeFlagNames(int argc, const char* const* argv) {
  std::vector<std::string> normalized(argv, argv + argc);
  for (size_t i = 1; i < normalized.size(); ++i) {
    std::string& arg = normalized[i];
    if (arg == "--") break;
    if (arg.size() < 3 || arg[0] != '-' || arg[1] != '-') continue;
    const size_t name_end = std::min(arg.find('='), arg.size());
    std::replace(arg.begin() + 2, arg.begin() + name_end, '-', '_');
  }
  return normalized;
}

}  // namespace captoken::cli
