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

absl::StatusOr<token::HmacSha256Key> ReadAuthTokenKey() {
  const std::string env = absl::GetFlag(FLAGS_auth_token_env);
  const std::string file = absl::GetFlag(FLAGS_auth_token_file);
  if (env.empty() == file.empty()) {
    return absl::InvalidArgumentError(
        "give the auth token with exactly one of --auth-token-env=VAR or "
        "--auth-token-file=PATH");
  }
  CAPTOKEN_ASSIGN_OR_RETURN(token::Secret secret,
                            env.empty() ? secrets::ReadSecretFromFile(file)
                                        : secrets::ReadSecretFromEnv(env));
  return token::HmacSha256Key::Create(secret.RevealSecretBytes());
}

}  // namespace captoken::cli
