#include "service/process/allocator.h"

#include <cstddef>
#include <cstring>
#include <memory>
#include <vector>

#include "gtest/gtest.h"

extern "C" {
int MallocExtension_GetNumericProperty(const char* property, size_t* value)
    __attribute__((weak));
}

namespace captoken::process {
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

TEST(ReleaseFreeMemory, ReturnsWhatTcmallocHoldsFreeBeyondWhatItKeeps) {
  if (MallocExtension_GetNumericProperty == nullptr) {
    EXPECT_EQ(ReleaseFreeMemory(), 0u);
    GTEST_SKIP() << "built without TCMalloc";
  }
  // 64 MiB in large blocks (TCMalloc serves them from its page heap), used
  // so that they are resident, then freed: TCMalloc keeps them.
  std::vector<std::unique_ptr<char[]>> blocks;
  for (int i = 0; i < 64; ++i) {
    blocks.emplace_back(new char[1 << 20]);
    std::memset(blocks.back().get(), 1, 1 << 20);
  }
  blocks.clear();
  size_t free_before = 0;
  ASSERT_NE(MallocExtension_GetNumericProperty("tcmalloc.pageheap_free_bytes",
                                               &free_before),
            0);
  ASSERT_GT(free_before, kKeptFreeBytes);

  EXPECT_GE(ReleaseFreeMemory(), free_before - kKeptFreeBytes - (1 << 20));
  size_t free_after = 0;
  ASSERT_NE(MallocExtension_GetNumericProperty("tcmalloc.pageheap_free_bytes",
                                               &free_after),
            0);
  EXPECT_LE(free_after, kKeptFreeBytes);
  EXPECT_EQ(ReleaseFreeMemory(), 0u);  // Nothing more to give back.
}

TEST(FreeMemoryReleaser, StopsWhenDestroyed) {
  // Destruction wakes the thread at once rather than after the interval.
  FreeMemoryReleaser releaser(absl::Hours(1));
}

}  // namespace
}  // namespace captoken::process
