#include "service/config/file_watcher.h"

#include <sys/stat.h>

#include <utility>

namespace captoken::config {

FileWatcher::FileWatcher(absl::Duration interval,
                         std::function<void()> on_change)
    : interval_(interval),
      on_change_(std::move(on_change)),
      thread_([this] { Run(); }) {}

FileWatcher::~FileWatcher() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  thread_.join();
}

void FileWatcher::SetFiles(std::vector<std::string> paths) {
  std::vector<Fingerprint> baseline;
  for (const std::string& path : paths) baseline.push_back(Look(path));
  absl::MutexLock lock(&mutex_);
  paths_ = std::move(paths);
  baseline_ = std::move(baseline);
}

FileWatcher::Fingerprint FileWatcher::Look(const std::string& path) {
  struct stat info;
  Fingerprint fingerprint;
  if (::stat(path.c_str(), &info) != 0) return fingerprint;  // Follows links.
  fingerprint.device = info.st_dev;
  fingerprint.inode = info.st_ino;
  fingerprint.size = info.st_size;
  fingerprint.modified_ns =
      static_cast<long long>(info.st_mtim.tv_sec) * 1000000000LL +
      info.st_mtim.tv_nsec;
  return fingerprint;
}

void FileWatcher::Run() {
  absl::MutexLock lock(&mutex_);
  while (true) {
    // Sleep for the interval, or until told to stop.
    auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mutex_) {
      return stopping_;
    };
    if (mutex_.AwaitWithTimeout(absl::Condition(&stopping), interval_)) return;
    bool changed = false;
    for (size_t i = 0; i < paths_.size(); ++i) {
      const Fingerprint now = Look(paths_[i]);
      if (now != baseline_[i]) {
        baseline_[i] = now;
        changed = true;
      }
    }
    if (changed) {
      mutex_.Unlock();
      on_change_();
      mutex_.Lock();
    }
  }
}

}  // namespace captoken::config
