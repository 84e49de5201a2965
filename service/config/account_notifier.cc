#include "service/config/account_notifier.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/memory/memory.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/types/optional.h"
#include "service/config/account_directory_scan.h"
#include "service/token/field_validation.h"

namespace captoken::config {
namespace {

// An account's directory and its api_keys directory: files written in place
// (IN_MODIFY while written, IN_CLOSE_WRITE when done), renamed into or out
// of place, created, deleted, their metadata changed; the directory itself
// deleted or moved.
constexpr uint32_t kAccountMask =
    IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_CREATE | IN_DELETE |
    IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
// The root: entries appearing, going or being replaced (an account's
// directory, a Kubernetes Secret's links and `..data`), and the root itself
// deleted or moved.
constexpr uint32_t kRootMask = IN_CREATE | IN_DELETE | IN_MOVED_FROM |
                               IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF |
                               IN_MOVE_SELF | IN_ONLYDIR;

// The link a Kubernetes atomic writer swaps to publish a new version of
// every file at once.
constexpr absl::string_view kDataLink = "..data";

// Whether a failed inotify_add_watch means "nothing there to watch" (the
// entry went, or is not a directory) rather than "could not watch it".
bool NothingToWatch(int error) { return error == ENOENT || error == ENOTDIR; }

}  // namespace

absl::StatusOr<std::unique_ptr<AccountNotifier>> AccountNotifier::Create(
    absl::Duration debounce) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("inotify unavailable: ", std::strerror(errno)));
  }
  return absl::WrapUnique(new AccountNotifier(fd, debounce));
}

AccountNotifier::~AccountNotifier() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(fd_);
}

void AccountNotifier::Start(std::function<void()> on_change) {
  on_change_ = std::move(on_change);
  thread_ = std::thread([this] { Run(); });
}

int64_t AccountNotifier::WatchLimit() {
  std::ifstream file("/proc/sys/fs/inotify/max_user_watches");
  int64_t limit = -1;
  if (!(file >> limit)) return -1;
  return limit;
}

uint32_t AccountNotifier::RootIndex(const std::string& root) {
  for (uint32_t i = 0; i < roots_.size(); ++i) {
    if (roots_[i].path == root) return i;
  }
  roots_.push_back({root});
  return static_cast<uint32_t>(roots_.size() - 1);
}

bool AccountNotifier::WatchDirectory(const std::string& root) {
  absl::MutexLock lock(&mutex_);
  const uint32_t index = RootIndex(root);
  // A full scan starts: it will count again the accounts it cannot watch.
  roots_[index].unwatched = 0;
  const int wd = ::inotify_add_watch(fd_, root.c_str(), kRootMask);
  if (wd < 0) {
    roots_[index].wd = -1;
    return false;
  }
  roots_[index].wd = wd;
  targets_[wd] = Target{index, Kind::kRoot, {}};
  return true;
}

bool AccountNotifier::WatchAccount(const std::string& root,
                                   const std::string& account_path,
                                   absl::string_view account_sid) {
  absl::MutexLock lock(&mutex_);
  return WatchAccountLocked(RootIndex(root), account_sid);
}

bool AccountNotifier::WatchAccountLocked(uint32_t root_index,
                                         absl::string_view sid) {
  Target target{root_index, Kind::kAccount, {}};
  if (sid.size() != target.sid.size()) return true;  // Not an account SID.
  std::copy(sid.begin(), sid.end(), target.sid.begin());
  const std::string path = absl::StrCat(roots_[root_index].path, "/", sid);
  // Follows a link (a Secret's `ACxxxx -> ..data/ACxxxx`) to the directory.
  const int wd = ::inotify_add_watch(fd_, path.c_str(), kAccountMask);
  if (wd < 0) {
    if (NothingToWatch(errno)) return true;
    ++roots_[root_index].unwatched;
    return false;
  }
  targets_[wd] = target;
  return true;
}

bool AccountNotifier::WatchApiKeys(const std::string& root,
                                   absl::string_view account_sid) {
  absl::MutexLock lock(&mutex_);
  const uint32_t index = RootIndex(root);
  if (account_sid.size() != 34) return true;  // Not an account SID.
  if (WatchApiKeysLocked(index, account_sid)) return true;
  ++roots_[index].unwatched;
  return false;
}

bool AccountNotifier::WatchApiKeysLocked(uint32_t root_index,
                                         absl::string_view sid) {
  Target target{root_index, Kind::kApiKeys, {}};
  std::copy(sid.begin(), sid.end(), target.sid.begin());
  const std::string path =
      absl::StrCat(roots_[root_index].path, "/", sid, "/", kApiKeysDirectory);
  const int wd = ::inotify_add_watch(fd_, path.c_str(), kAccountMask);
  if (wd < 0) return NothingToWatch(errno);
  targets_[wd] = target;
  return true;
}

void AccountNotifier::KeepOnly(const std::vector<std::string>& roots) {
  absl::MutexLock lock(&mutex_);
  std::vector<bool> forgotten(roots_.size(), false);
  for (uint32_t i = 0; i < roots_.size(); ++i) {
    if (roots_[i].path.empty()) continue;
    if (std::find(roots.begin(), roots.end(), roots_[i].path) != roots.end()) {
      continue;
    }
    forgotten[i] = true;
    roots_[i] = Root();
    pending_.erase(i);
    pending_full_.erase(i);
  }
  for (auto it = targets_.begin(); it != targets_.end();) {
    if (forgotten[it->second.root]) {
      ::inotify_rm_watch(fd_, it->first);
      targets_.erase(it++);
    } else {
      ++it;
    }
  }
}

AccountNotifier::Changes AccountNotifier::TakeChanges() {
  absl::MutexLock lock(&mutex_);
  Changes changes;
  for (auto& [root, why] : pending_full_) {
    changes.full_scans.emplace(roots_[root].path, std::move(why));
  }
  for (auto& [root, sids] : pending_) {
    // A directory scanned in full needs no account named.
    if (pending_full_.contains(root)) continue;
    std::vector<std::string>& named = changes.accounts[roots_[root].path];
    named.reserve(sids.size());
    for (auto it = sids.begin(); it != sids.end();) {
      named.push_back(std::move(sids.extract(it++).value()));
    }
  }
  pending_.clear();
  pending_full_.clear();
  return changes;
}

bool AccountNotifier::Covers(const std::string& root) const {
  absl::MutexLock lock(&mutex_);
  for (const Root& known : roots_) {
    if (known.path == root) return known.wd >= 0 && known.unwatched == 0;
  }
  return false;
}

void AccountNotifier::FullScan(uint32_t root_index, absl::string_view why) {
  if (roots_[root_index].path.empty()) return;
  pending_full_.try_emplace(root_index, why);
}

bool AccountNotifier::Handle(int wd, uint32_t mask, absl::string_view name) {
  if (mask & IN_Q_OVERFLOW) {
    // Events were lost: any account of any directory may have changed.
    for (uint32_t i = 0; i < roots_.size(); ++i) {
      FullScan(i, "the kernel's inotify event queue overflowed");
    }
    return true;
  }
  auto it = targets_.find(wd);
  if (it == targets_.end()) return false;
  const Target target = it->second;
  if (mask & IN_IGNORED) {
    // The watch is gone (its directory deleted, or removed by us).
    targets_.erase(it);
    if (target.kind != Kind::kRoot) return false;
    if (roots_[target.root].wd == wd) roots_[target.root].wd = -1;
    FullScan(target.root, "the directory itself was removed or replaced");
    return true;
  }
  const absl::string_view sid(target.sid.data(), target.sid.size());
  switch (target.kind) {
    case Kind::kRoot:
      if (mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
        FullScan(target.root, "the directory itself was removed or replaced");
        return true;
      }
      if (name == kDataLink) {
        FullScan(target.root,
                 "..data was swapped (a Kubernetes Secret update replaces "
                 "every file at once)");
        return true;
      }
      if (!token::IsSid("AC", name)) return false;  // Hidden, or stray.
      if (mask & (IN_CREATE | IN_MOVED_TO | IN_ATTRIB)) {
        // A new (or replaced) account: watched now, so that what is written
        // into it next is reported too; its refresh looks at it after.
        WatchAccountLocked(target.root, name);
      }
      pending_[target.root].emplace(name);
      return true;
    case Kind::kAccount:
      if ((mask & (IN_CREATE | IN_MOVED_TO)) && name == kApiKeysDirectory) {
        if (!WatchApiKeysLocked(target.root, sid)) {
          ++roots_[target.root].unwatched;
        }
      }
      pending_[target.root].emplace(sid);
      return true;
    case Kind::kApiKeys:
      pending_[target.root].emplace(sid);
      return true;
  }
  return false;
}

void AccountNotifier::Run() {
  // Large enough for hundreds of events per read; aligned for the structs.
  alignas(struct inotify_event) char buffer[64 * 1024];
  // When the batch waiting to be reported began, and its last event.
  absl::optional<absl::Time> first;
  absl::Time last;
  while (!stopping_) {
    int timeout_ms = 100;  // How often `stopping_` is checked when idle.
    if (first.has_value()) {
      const absl::Time due =
          std::min(last + debounce_, *first + debounce_ * 10);
      timeout_ms = static_cast<int>(std::max<int64_t>(
          0, absl::ToInt64Milliseconds(due - absl::Now()) + 1));
    }
    pollfd readable = {fd_, POLLIN, 0};
    const int ready = ::poll(&readable, 1, timeout_ms);
    if (ready > 0) {
      bool reported = false;
      while (true) {
        const ssize_t length = ::read(fd_, buffer, sizeof(buffer));
        if (length <= 0) break;  // EAGAIN: nothing more for now.
        absl::MutexLock lock(&mutex_);
        for (ssize_t offset = 0; offset < length;) {
          const auto* event =
              reinterpret_cast<const struct inotify_event*>(buffer + offset);
          const absl::string_view name =
              event->len > 0 ? absl::string_view(event->name) : "";
          if (Handle(event->wd, event->mask, name)) reported = true;
          offset += sizeof(struct inotify_event) + event->len;
        }
      }
      if (reported) {
        last = absl::Now();
        if (!first.has_value()) first = last;
      }
    }
    if (!first.has_value()) continue;
    const absl::Time now = absl::Now();
    if (now >= last + debounce_ || now >= *first + debounce_ * 10) {
      first.reset();
      on_change_();
    }
  }
}

}  // namespace captoken::config
