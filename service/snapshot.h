// File: snapshot.h
// -----------------------------------------------------------------------------
//
// Snapshot<T> holds an immutable T that is read on every request and
// replaced rarely (the account keys, on reload). Readers never contend: each
// thread caches the current value and checks a version number with one
// atomic load; only the first read after a replacement takes the lock.
// A reader sees the old value or the new one, never a mix.
//
// Example:
//
//   Snapshot<AccountKeys> accounts(std::move(initial));
//   const AccountKeys& current = accounts.Get();   // hot path
//   accounts.Set(std::move(reloaded));             // reload
//
// Get() returns a reference that stays valid until the same thread calls
// Get() on a Snapshot of the same T again, so use it within one request and
// do not keep it.

#ifndef CAPTOKEN_SERVICE_SNAPSHOT_H_
#define CAPTOKEN_SERVICE_SNAPSHOT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace captoken::service {

namespace internal {
// Versions are unique across all snapshots in the process, so a thread's
// cache can never mistake one snapshot's value for another's.
uint64_t NextSnapshotVersion();
}  // namespace internal

template <typename T>
class Snapshot {
 public:
  explicit Snapshot(std::shared_ptr<const T> initial) {
    Set(std::move(initial));
  }

  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // Get returns the current value (see the file comment for its lifetime).
  const T& Get() const {
    thread_local Cache cache;
    const uint64_t version = version_.load(std::memory_order_acquire);
    if (cache.version != version) {
      absl::MutexLock lock(&mutex_);
      cache.value = current_;
      cache.version = version_.load(std::memory_order_relaxed);
    }
    return *cache.value;
  }

  // Shared returns the current value as a shared pointer, for callers that
  // must keep it beyond one request.
  std::shared_ptr<const T> Shared() const {
    absl::MutexLock lock(&mutex_);
    return current_;
  }

  // Set replaces the value. Readers switch to it on their next Get().
  void Set(std::shared_ptr<const T> value) {
    absl::MutexLock lock(&mutex_);
    current_ = std::move(value);
    version_.store(internal::NextSnapshotVersion(), std::memory_order_release);
  }

 private:
  struct Cache {
    uint64_t version = 0;
    std::shared_ptr<const T> value;
  };

  mutable absl::Mutex mutex_;
  std::shared_ptr<const T> current_ ABSL_GUARDED_BY(mutex_);
  std::atomic<uint64_t> version_{0};
};

}  // namespace captoken::service

#endif  // CAPTOKEN_SERVICE_SNAPSHOT_H_
