// File: reloader.h
// -----------------------------------------------------------------------------
//
// Reloader runs reloads on a thread of its own, so that whoever asks for one
// (the signal loop, the file watcher) is never held up by it: a secret file
// on a hung mount, or anything else a reload waits on, cannot keep SIGTERM
// from draining the server. Requests that arrive while a reload runs are
// folded into one more reload after it.
//
// A request is of one of two kinds: a full reload (SIGHUP, the polling
// watcher: the config read again, every directory scanned), or applying the
// account changes a notifier reported (account_changes.h), which costs only
// what changed. Folded requests are full if any of them is: a full reload
// sees every change a notification would have named.
//
// Example:
//
//   Reloader reloader([&] { ReloadConfig(targets); });
//   ... on SIGHUP: reloader.Request();
//   ... on SIGTERM: if (!reloader.Stop(absl::Seconds(1))) std::_Exit(0);

#ifndef CAPTOKEN_SERVICE_SERVE_RELOADER_H_
#define CAPTOKEN_SERVICE_SERVE_RELOADER_H_

#include <functional>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace captoken::serve {

class Reloader {
 public:
  enum class Kind { kFull, kNotified };

  // Starts the thread, which runs `reload` once per (folded) request, with
  // the request's kind.
  explicit Reloader(std::function<void(Kind)> reload);
  // The same, for a reload of one kind only.
  explicit Reloader(std::function<void()> reload)
      : Reloader([reload = std::move(reload)](Kind) { reload(); }) {}

  // Stops the thread, waiting for a reload in progress however long it
  // takes. A process that must not wait for a stuck reload (one exiting
  // after Stop returned false) leaves without destroying the Reloader.
  ~Reloader();

  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;

  // Request asks for a reload, without waiting for it. After Stop, nothing.
  void Request(Kind kind = Kind::kFull);

  // Stop runs no more reloads and waits up to `timeout` for one in
  // progress. Returns false if it was still running then (the thread is
  // left to finish it; the destructor waits for it).
  bool Stop(absl::Duration timeout);

 private:
  void Loop();

  const std::function<void(Kind)> reload_;
  absl::Mutex mutex_;
  bool pending_ ABSL_GUARDED_BY(mutex_) = false;
  bool pending_full_ ABSL_GUARDED_BY(mutex_) = false;
  bool running_ ABSL_GUARDED_BY(mutex_) = false;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace captoken::serve

#endif  // CAPTOKEN_SERVICE_SERVE_RELOADER_H_
