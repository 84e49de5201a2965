#include "service/token/secret.h"

#include "absl/status/status.h"

namespace captoken::token {

absl::StatusOr<Secret> Secret::Create(absl::string_view bytes) {
  if (bytes.empty()) return absl::InvalidArgumentError("secret is empty");
  return Secret(bytes);
}

Secret::Secret(absl::string_view bytes) : bytes_(bytes.begin(), bytes.end()) {}

}  // namespace captoken::token
