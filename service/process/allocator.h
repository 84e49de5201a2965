// File: allocator.h
// -----------------------------------------------------------------------------
//
// The serving binaries link TCMalloc (//bazel:malloc) except under the
// sanitizers, which bring their own allocator. ConfigureAllocator applies
// the one TCMalloc setting the server needs; ConfigureServingProcess
// (token_server.h) calls it. FreeMemoryReleaser gives memory the server no
// longer uses back to the system; the server's main() runs one.
//
// Why a setting at all: TCMalloc lets each thread cache freed objects, up to
// 32 MB across all threads by default. A server's handler threads fill
// their caches over the first hundreds of thousands of calls, so resident
// memory kept rising long after warm-up (+22% between the 10,000th and the
// 1,000,000th request, against +2% with this cap; docs/performance.md).
// A call frees what the next call on its thread allocates, so a small cache
// keeps the speed.

#ifndef CAPTOKEN_SERVICE_PROCESS_ALLOCATOR_H_
#define CAPTOKEN_SERVICE_PROCESS_ALLOCATOR_H_

#include <cstddef>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace captoken::process {

// The cap on the bytes all of TCMalloc's thread caches hold together.
inline constexpr size_t kMaxThreadCacheBytes = size_t{2} << 20;

// ConfigureAllocator caps TCMalloc's thread caches at kMaxThreadCacheBytes
// if this binary's allocator is TCMalloc; returns whether it is.
bool ConfigureAllocator();

// How much free memory TCMalloc may keep from the system: enough for the
// page heap's ordinary churn under load, so the releaser is idle then.
inline constexpr size_t kKeptFreeBytes = size_t{8} << 20;

// ReleaseFreeMemory returns to the system what TCMalloc holds free beyond
// `keep_bytes` (its page heap's free spans), and the number of bytes it
// asked TCMalloc to release; 0 without TCMalloc.
//
// Why: TCMalloc returns freed pages to the system only a little at a time
// as it allocates again. After a burst (hundreds of calls whose clients
// never read their responses, then closed), a quiet server kept 500 MB it
// no longer used, and no later allocation would give it back.
size_t ReleaseFreeMemory(size_t keep_bytes = kKeptFreeBytes);

// FreeMemoryReleaser calls ReleaseFreeMemory every `interval` on a thread
// of its own until it is destroyed. Asking costs a lock and a counter read,
// so a serving process runs one at a one-second interval.
class FreeMemoryReleaser {
 public:
  explicit FreeMemoryReleaser(absl::Duration interval);
  ~FreeMemoryReleaser();

  FreeMemoryReleaser(const FreeMemoryReleaser&) = delete;
  FreeMemoryReleaser& operator=(const FreeMemoryReleaser&) = delete;

 private:
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace captoken::process

#endif  // CAPTOKEN_SERVICE_PROCESS_ALLOCATOR_H_
