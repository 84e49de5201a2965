#include "service/secrets/secret_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "service/token/crypto.h"

namespace captoken::secrets {
namespace {

constexpr size_t kMaxSecretFileBytes = 4096;

absl::Status OpenError(int error, absl::string_view path) {
  if (error == ENOENT) {
    return absl::NotFoundError(
        absl::StrCat("secret file ", path, " not found"));
  }
  if (error == EACCES) {
    return absl::PermissionDeniedError(
        absl::StrCat("secret file ", path, " not readable"));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("cannot open secret file ", path));
}

}  // namespace

absl::StatusOr<token::Secret> ReadSecretFromEnv(absl::string_view name) {
  const std::string variable(name);
  const char* value = std::getenv(variable.c_str());
  if (value == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("environment variable ", name, " is not set"));
  }
  if (*value == '\0') {
    return absl::InvalidArgumentError(
        absl::StrCat("environment variable ", name, " is empty"));
  }
  return token::Secret::Create(value);
}

absl::StatusOr<token::Secret> ReadSecretFromFile(absl::string_view path) {
  const std::string file_name(path);
  // O_NONBLOCK: opening a FIFO nobody writes would otherwise block the
  // reload (and, before reloads ran apart from the signal loop, SIGTERM)
  // until someone wrote to it. Only a regular file is read; a symlink to
  // one (a Kubernetes secret mount) is followed.
  const int fd =
      ::open(file_name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return OpenError(errno, path);
  struct stat info;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat("secret file ", path, " is not a regular file"));
  }

  // One byte more than allowed, to tell "full" from "too big"; read into a
  // fixed buffer so no reallocation leaves a copy behind.
  char buffer[kMaxSecretFileBytes + 1];
  size_t size = 0;
  while (size < sizeof(buffer)) {
    const ssize_t n = ::read(fd, buffer + size, sizeof(buffer) - size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size += static_cast<size_t>(n);
  }
  ::close(fd);

  absl::StatusOr<token::Secret> secret;
  if (size > kMaxSecretFileBytes) {
    secret = absl::InvalidArgumentError(
        absl::StrCat("secret file ", path, " is larger than 4 KiB"));
  } else {
    absl::string_view content(buffer, size);
    if (!content.empty() && content.back() == '\n') {
      content.remove_suffix(1);
      if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
    }
    if (content.empty()) {
      secret = absl::InvalidArgumentError(
          absl::StrCat("secret file ", path, " is empty"));
    } else {
      secret = token::Secret::Create(content);
    }
  }
  token::WipeMemory(buffer, sizeof(buffer));
  return secret;
}

}  // namespace captoken::secrets
