#include "service/config/file_watcher.h"

#include <sys/stat.h>

#include <algorithm>
#include <utility>

#include "service/config/account_directory_scan.h"

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

void FileWatcher::SetFiles(std::vector<std::string> paths,
                           std::vector<std::string> account_directories) {
  std::vector<Fingerprint> baseline;
  for (const std::string& path : paths) baseline.push_back(Look(path));
  // A directory watched already keeps its baseline: a reload calls this
  // after reading the directory, and a digest taken now would hide a change
  // made since that read. At worst a change is reported twice, and the
  // second reload reads nothing.
  std::vector<std::string> watched;
  std::vector<uint64_t> watched_baseline;
  {
    absl::MutexLock lock(&mutex_);
    watched = directories_;
    watched_baseline = directory_baseline_;
  }
  std::vector<uint64_t> directory_baseline;
  for (const std::string& path : account_directories) {
    auto known = std::find(watched.begin(), watched.end(), path);
    directory_baseline.push_back(known != watched.end()
                                     ? watched_baseline[known - watched.begin()]
                                     : DigestAccountDirectory(path));
  }
  absl::MutexLock lock(&mutex_);
  paths_ = std::move(paths);
  baseline_ = std::move(baseline);
  directories_ = std::move(account_directories);
  directory_baseline_ = std::move(directory_baseline);
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
    for (size_t i = 0; i < directories_.size(); ++i) {
      const uint64_t now = DigestAccountDirectory(directories_[i]);
      if (now != directory_baseline_[i]) {
        directory_baseline_[i] = now;
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
