#include "service/allocator.h"

#include <cstddef>

#include "gtest/gtest.h"

extern "C" {
int MallocExtension_GetNumericProperty(const char* property, size_t* value)
    __attribute__((weak));
}

namespace captoken::service {
namespace {

TEST(ConfigureAllocator, CapsTcmallocsThreadCaches) {
  if (MallocExtension_GetNumericProperty == nullptr) {
    // --config=asan and --config=fuzz keep the sanitizers' allocator.
    EXPECT_FALSE(ConfigureAllocator());
    GTEST_SKIP() << "built without TCMalloc";
  }
  size_t before = 0;
  ASSERT_NE(MallocExtension_GetNumericProperty(
                "tcmalloc.max_total_thread_cache_bytes", &before),
            0);
  EXPECT_GT(before, kMaxThreadCacheBytes);  // TCMalloc's default is larger.
  ASSERT_TRUE(ConfigureAllocator());
  size_t after = 0;
  ASSERT_NE(MallocExtension_GetNumericProperty(
                "tcmalloc.max_total_thread_cache_bytes", &after),
            0);
  EXPECT_EQ(after, kMaxThreadCacheBytes);
}

}  // namespace
}  // namespace captoken::service
