#include "service/serve/tls_mirror.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "service/token/status_macros.h"

namespace captoken::serve {
namespace {

absl::Status ErrnoError(absl::string_view call) {
  return absl::InternalError(
      absl::StrCat("TLS mirror: ", call, ": ", std::strerror(errno)));
}

// A memfd holding `bytes` (close-on-exec: no child inherits a key).
absl::StatusOr<int> MemoryFile(const char* name, absl::string_view bytes) {
  const int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) return ErrnoError("memfd_create");
  while (!bytes.empty()) {
    const ssize_t written = write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      absl::Status error = ErrnoError("write");
      close(fd);
      return error;
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return fd;
}

std::string ProcPath(int fd) { return absl::StrCat("/proc/self/fd/", fd); }

// Points `target` at `source`'s file, keeping close-on-exec (dup2 would
// clear it), then closes `source`.
absl::Status MoveOnto(int source, int target) {
  int result;
  do {
    result = dup3(source, target, O_CLOEXEC);
  } while (result < 0 && errno == EINTR);
  const absl::Status status =
      result < 0 ? ErrnoError("dup3") : absl::OkStatus();
  close(source);
  return status;
}

absl::StatusOr<config::TlsFileContents> CopyOf(
    const config::TlsFileContents& contents) {
  CAPTOKEN_ASSIGN_OR_RETURN(
      token::Secret key,
      token::Secret::Create(contents.private_key.RevealSecretBytes()));
  return config::TlsFileContents{contents.certificate_chain, std::move(key),
                                 contents.client_ca};
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsMirror>> TlsMirror::Create(
    const config::TlsFileContents& contents) {
  CAPTOKEN_ASSIGN_OR_RETURN(config::TlsFileContents copy, CopyOf(contents));
  CAPTOKEN_ASSIGN_OR_RETURN(Files files, Write(contents));
  return std::unique_ptr<TlsMirror>(new TlsMirror(files, std::move(copy)));
}

TlsMirror::TlsMirror(Files files, config::TlsFileContents contents)
    : files_(files), contents_(std::move(contents)) {}

TlsMirror::~TlsMirror() { Close(files_); }

absl::StatusOr<TlsMirror::Files> TlsMirror::Write(
    const config::TlsFileContents& contents) {
  Files files;
  absl::StatusOr<int> fd =
      MemoryFile("captoken-tls-certificate", contents.certificate_chain);
  if (!fd.ok()) return fd.status();
  files.certificate_chain = *fd;
  fd = MemoryFile("captoken-tls-key", contents.private_key.RevealSecretBytes());
  if (fd.ok()) {
    files.private_key = *fd;
    if (!contents.client_ca.empty()) {
      fd = MemoryFile("captoken-tls-client-ca", contents.client_ca);
      if (fd.ok()) files.client_ca = *fd;
    }
  }
  if (!fd.ok()) {
    Close(files);
    return fd.status();
  }
  return files;
}

void TlsMirror::Close(const Files& files) {
  for (int fd : {files.certificate_chain, files.private_key, files.client_ca}) {
    if (fd >= 0) close(fd);
  }
}

config::TlsSettings TlsMirror::ServedSettings(
    const config::TlsSettings& configured) const {
  config::TlsSettings served = configured;
  served.certificate_file = ProcPath(files_.certificate_chain);
  served.private_key_file = ProcPath(files_.private_key);
  served.client_ca_file =
      files_.client_ca < 0 ? std::string() : ProcPath(files_.client_ca);
  served.refresh_interval = kGrpcRefreshInterval;
  return served;
}

bool TlsMirror::Holds(const config::TlsFileContents& contents) const {
  absl::MutexLock lock(&mutex_);
  return contents_.SameAs(contents);
}

absl::Status TlsMirror::Replace(const config::TlsFileContents& contents) {
  // Mutual TLS cannot be turned on or off by a file: the paths gRPC was
  // given are fixed at start-up.
  if (contents.client_ca.empty() != (files_.client_ca < 0)) {
    return absl::FailedPreconditionError(
        "TLS mirror: a client CA cannot be added or removed without a "
        "restart");
  }
  CAPTOKEN_ASSIGN_OR_RETURN(config::TlsFileContents copy, CopyOf(contents));
  absl::MutexLock lock(&mutex_);
  CAPTOKEN_ASSIGN_OR_RETURN(Files fresh, Write(contents));
  // Each swap closes its fresh descriptor. dup3 fails only on bad
  // arguments, which these are not; were it to, part of the new set would
  // be served, and the next refresh (Holds being false) would try again.
  absl::Status swapped = MoveOnto(fresh.private_key, files_.private_key);
  swapped.Update(MoveOnto(fresh.certificate_chain, files_.certificate_chain));
  if (fresh.client_ca >= 0) {
    swapped.Update(MoveOnto(fresh.client_ca, files_.client_ca));
  }
  if (!swapped.ok()) return swapped;
  contents_ = std::move(copy);
  return absl::OkStatus();
}

}  // namespace captoken::serve
