#include "client/cli/cli_io.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/cli/cli_flags.h"
#include "service/secrets/secret_source.h"
#include "service/token/secret.h"
#include "service/token/status_macros.h"

namespace captoken::cli {

absl::StatusOr<std::string> ReadArgument(absl::string_view argument) {
  std::string text;
  if (argument == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin),
                std::istreambuf_iterator<char>());
  } else if (!argument.empty() && argument.front() == '@') {
    const std::string path(argument.substr(1));
    std::ifstream file(path);
    if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));
    std::stringstream contents;
    contents << file.rdbuf();
    text = contents.str();
  } else {
    text = std::string(argument);
  }
  return std::string(absl::StripAsciiWhitespace(text));
}

namespace {

// Reads a secret from the variable or the file one of two flags names.
// Never from a flag's value: that would show in `ps`.
absl::StatusOr<token::Secret> ReadSecretFlags(const std::string& env,
                                              const std::string& file,
                                              absl::string_view what,
                                              absl::string_view flag_prefix) {
  if (env.empty() == file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("give the ", what, " with exactly one of --", flag_prefix,
                     "-env=VAR or --", flag_prefix, "-file=PATH"));
  }
  return env.empty() ? secrets::ReadSecretFromFile(file)
                     : secrets::ReadSecretFromEnv(env);
}

}  // namespace

absl::StatusOr<token::HmacSha256Key> ReadAuthTokenKey() {
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::Secret secret,
      ReadSecretFlags(absl::GetFlag(FLAGS_auth_token_env),
                      absl::GetFlag(FLAGS_auth_token_file), "auth token",
                      "auth-token"));
  return token::HmacSha256Key::Create(secret.RevealSecretBytes());
}

absl::StatusOr<token::ApiKey> ReadApiKey(absl::string_view sid) {
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::Secret secret,
      ReadSecretFlags(absl::GetFlag(FLAGS_api_key_secret_env),
                      absl::GetFlag(FLAGS_api_key_secret_file),
                      "API key secret", "api-key-secret"));
  return token::ApiKey::Create(sid, secret.RevealSecretBytes());
}

}  // namespace captoken::cli
