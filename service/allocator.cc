#include "service/allocator.h"

// TCMalloc's C interface (gperftools/malloc_extension_c.h), declared weak:
// a binary built without TCMalloc (the sanitizers' builds) sees null
// addresses instead of failing to link.
extern "C" {
int MallocExtension_SetNumericProperty(const char* property, size_t value)
    __attribute__((weak));
}

namespace captoken::service {

bool ConfigureAllocator() {
  if (MallocExtension_SetNumericProperty == nullptr) return false;
  return MallocExtension_SetNumericProperty(
             "tcmalloc.max_total_thread_cache_bytes", kMaxThreadCacheBytes) !=
         0;
}

}  // namespace captoken::service
