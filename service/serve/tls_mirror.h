// File: tls_mirror.h
// -----------------------------------------------------------------------------
//
// TlsMirror holds the TLS files the server serves with: copies of the
// configured files that loaded together (config/tls_files.h), in memory,
// under paths that never change. gRPC's file watcher is pointed at those
// paths instead of the configured ones, so it can only ever read a set that
// was checked: a replacement certificate, key or client CA that does not
// load leaves the mirror, and so the handshakes, as they were.
//
// Each file is a memfd (memory, never disk: nothing of the key is left
// behind by a crash) read through /proc/self/fd/N, a path that works for
// the process itself even when it is not dumpable. Replace swaps the three
// descriptors in place with dup3(), so an open of a path yields either the
// old file or the new, whole; gRPC compares the files' modification times
// around its reads and reads again when they moved, so it does not pair an
// old key with a new certificate.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(std::unique_ptr<TlsMirror> mirror,
//                             TlsMirror::Create(contents));
//   config::TlsSettings served = mirror->ServedSettings(settings.tls);
//   ...
//   if (!mirror->Holds(replacement)) mirror->Replace(replacement);

#ifndef CAPTOKEN_SERVICE_SERVE_TLS_MIRROR_H_
#define CAPTOKEN_SERVICE_SERVE_TLS_MIRROR_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/config/server_config.h"
#include "service/config/tls_files.h"

namespace captoken::serve {

class TlsMirror {
 public:
  // How often gRPC re-reads the mirror: its files change only when
  // Replace swaps them, and reading three small memfds costs nothing.
  static constexpr absl::Duration kGrpcRefreshInterval = absl::Seconds(1);

  // Fails with INTERNAL if the memfds cannot be made (errno named).
  static absl::StatusOr<std::unique_ptr<TlsMirror>> Create(
      const config::TlsFileContents& contents);

  ~TlsMirror();
  TlsMirror(const TlsMirror&) = delete;
  TlsMirror& operator=(const TlsMirror&) = delete;

  // `configured` with its certificate, key and client CA paths replaced by
  // the mirror's, and gRPC's refresh interval; the CRL directory is kept.
  config::TlsSettings ServedSettings(
      const config::TlsSettings& configured) const;

  // Whether the mirror holds exactly `contents`.
  bool Holds(const config::TlsFileContents& contents) const;

  // Replaces the three files at once. On failure (INTERNAL), the mirror is
  // unchanged.
  absl::Status Replace(const config::TlsFileContents& contents);

 private:
  // The three descriptors whose /proc/self/fd paths gRPC reads.
  struct Files {
    int certificate_chain = -1;
    int private_key = -1;
    int client_ca = -1;  // -1 without mutual TLS.
  };

  TlsMirror(Files files, config::TlsFileContents contents);

  // New memfds holding `contents`; closes what it made if one fails.
  static absl::StatusOr<Files> Write(const config::TlsFileContents& contents);
  static void Close(const Files& files);

  const Files files_;
  mutable absl::Mutex mutex_;
  // What the mirror holds, for Holds (the key in wiped memory).
  config::TlsFileContents contents_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace captoken::serve

#endif  // CAPTOKEN_SERVICE_SERVE_TLS_MIRROR_H_
