#include "service/process/allocator.h"

// TCMalloc's C interface (gperftools/malloc_extension_c.h), declared weak:
// a binary built without TCMalloc (the sanitizers' builds) sees null
// addresses instead of failing to link.
extern "C" {
int MallocExtension_SetNumericProperty(const char* property, size_t value)
    __attribute__((weak));
int MallocExtension_GetNumericProperty(const char* property, size_t* value)
    __attribute__((weak));
void MallocExtension_ReleaseToSystem(size_t num_bytes) __attribute__((weak));
}

namespace captoken::process {

bool ConfigureAllocator() {
  if (MallocExtension_SetNumericProperty == nullptr) return false;
  return MallocExtension_SetNumericProperty(
             "tcmalloc.max_total_thread_cache_bytes", kMaxThreadCacheBytes) !=
         0;
}

size_t ReleaseFreeMemory(size_t keep_bytes) {
  if (MallocExtension_GetNumericProperty == nullptr ||
      MallocExtension_ReleaseToSystem == nullptr) {
    return 0;
  }
  size_t free_bytes = 0;
  if (MallocExtension_GetNumericProperty("tcmalloc.pageheap_free_bytes",
                                         &free_bytes) == 0 ||
      free_bytes <= keep_bytes) {
    return 0;
  }
  MallocExtension_ReleaseToSystem(free_bytes - keep_bytes);
  return free_bytes - keep_bytes;
}

FreeMemoryReleaser::FreeMemoryReleaser(absl::Duration interval)
    : thread_([this, interval] {
        while (!stop_.WaitForNotificationWithTimeout(interval)) {
          ReleaseFreeMemory();
        }
      }) {}

FreeMemoryReleaser::~FreeMemoryReleaser() {
  stop_.Notify();
  thread_.join();
}

}  // namespace captoken::process
