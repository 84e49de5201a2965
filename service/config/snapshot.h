// File: snapshot.h
// -----------------------------------------------------------------------------
//
// Snapshot<T> holds an immutable T that is read on every request and
// replaced rarely (the serving state, with its keys, on reload). A reader
// gets the current value as a shared pointer and holds it for its request;
// a reader sees the old value or the new one, never a mix.
//
// Nothing but readers keeps a replaced value: it is destroyed as soon as
// the last request that read it is done (at Set() itself on a quiet
// server). This is what lets a rotated-out secret be wiped promptly. An
// earlier version cached the value per thread to save a reference count,
// and a thread that went quiet kept a replaced key in memory indefinitely.
//
// Example:
//
//   Snapshot<ServingState> state(std::move(initial));
//   std::shared_ptr<const ServingState> current = state.Get();  // per call
//   state.Set(std::move(reloaded));                             // reload

#ifndef CAPTOKEN_SERVICE_CONFIG_SNAPSHOT_H_
#define CAPTOKEN_SERVICE_CONFIG_SNAPSHOT_H_

#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace captoken::config {

template <typename T>
class Snapshot {
 public:
  explicit Snapshot(std::shared_ptr<const T> initial)
      : current_(std::move(initial)) {}

  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // Get returns the current value. Hold it for one request, not longer: a
  // holder keeps a replaced value (and its secrets) alive.
  std::shared_ptr<const T> Get() const {
    absl::ReaderMutexLock lock(&mutex_);
    return current_;
  }

  // Set replaces the value. The old one is released here, outside the
  // lock, unless a request still holds it.
  void Set(std::shared_ptr<const T> value) {
    std::shared_ptr<const T> replaced;
    {
      absl::MutexLock lock(&mutex_);
      replaced = std::exchange(current_, std::move(value));
    }
  }

 private:
  mutable absl::Mutex mutex_;
  std::shared_ptr<const T> current_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace captoken::config

#endif  // CAPTOKEN_SERVICE_CONFIG_SNAPSHOT_H_
