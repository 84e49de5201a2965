#include "service/secrets/secret_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "service/token/crypto.h"
#include "service/token/status_macros.h"

namespace captoken::secrets {
namespace {

constexpr size_t kMaxSecretFileBytes = 4096;

absl::Status OpenError(int error, absl::string_view what,
                       absl::string_view path) {
  if (error == ENOENT) {
    return absl::NotFoundError(absl::StrCat(what, " ", path, " not found"));
  }
  if (error == EACCES) {
    return absl::PermissionDeniedError(
        absl::StrCat(what, " ", path, " not readable"));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("cannot open ", what, " ", path));
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

absl::StatusOr<token::Secret> ReadSensitiveFile(absl::string_view path,
                                                absl::string_view what,
                                                size_t max_bytes) {
  const std::string file_name(path);
  // O_NONBLOCK: opening a FIFO nobody writes would otherwise block the
  // reload until someone wrote to it. Only a regular file is read; a
  // symlink to one (a Kubernetes secret mount) is followed.
  const int fd =
      ::open(file_name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return OpenError(errno, what, path);
  struct stat info;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat(what, " ", path, " is not a regular file"));
  }

  // One byte more than allowed, to tell "full" from "too big"; read into
  // one buffer of fixed size so no reallocation leaves a copy behind.
  std::unique_ptr<char[]> buffer(new char[max_bytes + 1]);
  size_t size = 0;
  while (size < max_bytes + 1) {
    const ssize_t n = ::read(fd, buffer.get() + size, max_bytes + 1 - size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size += static_cast<size_t>(n);
  }
  ::close(fd);

  absl::StatusOr<token::Secret> content;
  if (size > max_bytes) {
    content = absl::InvalidArgumentError(
        max_bytes % 1024 == 0
            ? absl::StrCat(what, " ", path, " is larger than ",
                           max_bytes / 1024, " KiB")
            : absl::StrCat(what, " ", path, " is larger than ", max_bytes,
                           " bytes"));
  } else if (size == 0) {
    content =
        absl::InvalidArgumentError(absl::StrCat(what, " ", path, " is empty"));
  } else {
    content = token::Secret::Create(absl::string_view(buffer.get(), size));
  }
  token::WipeMemory(buffer.get(), max_bytes + 1);
  return content;
}

absl::StatusOr<token::Secret> ReadSecretFromFile(absl::string_view path) {
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::Secret file,
      ReadSensitiveFile(path, "secret file", kMaxSecretFileBytes));
  absl::string_view content = file.RevealSecretBytes();
  if (!content.empty() && content.back() == '\n') {
    content.remove_suffix(1);
    if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
  }
  if (content.size() == file.size()) return file;
  if (content.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("secret file ", path, " is empty"));
  }
  return token::Secret::Create(content);
}

}  // namespace captoken::secrets
