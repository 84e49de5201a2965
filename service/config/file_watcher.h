// File: file_watcher.h
// -----------------------------------------------------------------------------
//
// FileWatcher notices when files change, by looking at each file's device,
// inode, size and modification time every `interval`. That catches an
// editor's save and the symlink swap with which Kubernetes updates a mounted
// secret, without reading any secret. Polling rather than inotify keeps it
// working on every filesystem and through symlinks.
//
// It watches account directories (account_directory_scan.h) the same way,
// by scanning each one (readdir and stat, no read) and keeping one digest
// of the scan per directory: an account added, removed or with a file
// changed moves the digest. Memory does not grow with the number of
// accounts; time does (one scan per interval), so a directory of very many
// accounts wants a longer secret_watch_interval, or SIGHUP.
//
// Example:
//
//   FileWatcher watcher(absl::Seconds(10), [] { kill(getpid(), SIGHUP); });
//   watcher.SetFiles({"/etc/captoken/config.textproto",
//                     "/run/secrets/twilio/auth-token"});

#ifndef CAPTOKEN_SERVICE_CONFIG_FILE_WATCHER_H_
#define CAPTOKEN_SERVICE_CONFIG_FILE_WATCHER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace captoken::config {

class FileWatcher {
 public:
  // Starts watching nothing; `on_change` runs on the watcher's thread.
  FileWatcher(absl::Duration interval, std::function<void()> on_change);
  // Stops the thread.
  ~FileWatcher();

  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // SetFiles replaces the watched files and account directories and takes
  // their current state as the baseline (so a change made before the call
  // is not reported).
  void SetFiles(std::vector<std::string> paths,
                std::vector<std::string> account_directories = {});

 private:
  // A file's identity and version; all zero when it cannot be read.
  struct Fingerprint {
    unsigned long device = 0;
    unsigned long inode = 0;
    long long size = 0;
    long long modified_ns = 0;
    bool operator!=(const Fingerprint& other) const {
      return device != other.device || inode != other.inode ||
             size != other.size || modified_ns != other.modified_ns;
    }
  };
  static Fingerprint Look(const std::string& path);
  void Run();

  const absl::Duration interval_;
  const std::function<void()> on_change_;
  absl::Mutex mutex_;
  std::vector<std::string> paths_ ABSL_GUARDED_BY(mutex_);
  std::vector<Fingerprint> baseline_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::string> directories_ ABSL_GUARDED_BY(mutex_);
  std::vector<uint64_t> directory_baseline_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace captoken::config

#endif  // CAPTOKEN_SERVICE_CONFIG_FILE_WATCHER_H_
