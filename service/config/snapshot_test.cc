// Tests for snapshot.h: a reader sees the initial value, then whatever was
// Set last, never a mix of two values; and a replaced value is released as
// soon as no request holds it, whichever threads read it before.

#include "service/config/snapshot.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace captoken::config {
namespace {

// Pair is consistent when both halves are equal; a torn read (half of one
// value, half of another) would show as a mismatch.
struct Pair {
  explicit Pair(int64_t value) : first(value), second(value) {}
  int64_t first;
  int64_t second;
};

std::shared_ptr<const Pair> MakePair(int64_t value) {
  return std::make_shared<const Pair>(value);
}

// Tracked counts its live instances, to see when a value is released.
struct Tracked {
  explicit Tracked(std::atomic<int>* live) : live(live) { ++*live; }
  ~Tracked() { --*live; }
  std::atomic<int>* live;
};

TEST(Snapshot, GetReturnsTheInitialValue) {
  auto initial = std::make_shared<const std::string>("one");
  Snapshot<std::string> snapshot(initial);
  EXPECT_EQ(snapshot.Get(), initial);
  EXPECT_EQ(*snapshot.Get(), "one");
}

TEST(Snapshot, GetSeesTheValueAfterSet) {
  Snapshot<std::string> snapshot(std::make_shared<const std::string>("one"));
  snapshot.Set(std::make_shared<const std::string>("two"));
  EXPECT_EQ(*snapshot.Get(), "two");
  snapshot.Set(std::make_shared<const std::string>("three"));
  EXPECT_EQ(*snapshot.Get(), "three");
}

TEST(Snapshot, AnotherThreadSeesTheValueAfterSet) {
  Snapshot<std::string> snapshot(std::make_shared<const std::string>("one"));
  std::string seen_before;
  std::string seen_after;
  absl::Notification read_once;
  absl::Notification was_set;
  std::thread reader([&] {
    seen_before = *snapshot.Get();
    read_once.Notify();
    was_set.WaitForNotification();
    seen_after = *snapshot.Get();
  });
  read_once.WaitForNotification();
  snapshot.Set(std::make_shared<const std::string>("two"));
  was_set.Notify();
  reader.join();
  EXPECT_EQ(seen_before, "one");
  EXPECT_EQ(seen_after, "two");
}

TEST(Snapshot, AHolderKeepsAReplacedValueAliveUntilItLetsGo) {
  std::atomic<int> live{0};
  Snapshot<Tracked> snapshot(std::make_shared<const Tracked>(&live));
  std::shared_ptr<const Tracked> held = snapshot.Get();
  snapshot.Set(std::make_shared<const Tracked>(&live));
  EXPECT_EQ(live.load(), 2);
  held.reset();
  EXPECT_EQ(live.load(), 1);
}

// The defect this design fixes: each thread cached the value it last read,
// so a thread that went quiet kept a replaced value (a rotated-out key)
// alive indefinitely. Now a replaced value dies at Set() when nobody holds
// it, however many threads read it before.
TEST(Snapshot, AReplacedValueIsReleasedAtSetWhateverThreadsReadIt) {
  std::atomic<int> live{0};
  Snapshot<Tracked> snapshot(std::make_shared<const Tracked>(&live));
  std::vector<std::thread> readers;
  absl::Notification may_exit;
  std::atomic<int> have_read{0};
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      (void)snapshot.Get();  // read, and let go, as a request does
      ++have_read;
      may_exit.WaitForNotification();  // then stay alive, quiet
    });
  }
  while (have_read.load() < 4) std::this_thread::yield();
  (void)snapshot.Get();  // this thread reads too
  ASSERT_EQ(live.load(), 1);
  snapshot.Set(std::make_shared<const Tracked>(&live));
  EXPECT_EQ(live.load(), 1) << "the replaced value outlived Set()";
  may_exit.Notify();
  for (std::thread& reader : readers) reader.join();
}

TEST(Snapshot, ConcurrentReadersNeverSeeAMixedValue) {
  constexpr int kReaders = 4;
  constexpr int64_t kWrites = 20000;
  constexpr int kReadsPerReader = 200000;

  Snapshot<Pair> snapshot(MakePair(0));
  std::atomic<int64_t> torn{0};
  std::atomic<int64_t> went_back{0};
  std::atomic<int> readers_started{0};
  absl::Notification start;

  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&] {
      readers_started.fetch_add(1);
      start.WaitForNotification();
      int64_t last = 0;
      for (int i = 0; i < kReadsPerReader; ++i) {
        const std::shared_ptr<const Pair> pair = snapshot.Get();
        const int64_t first = pair->first;
        const int64_t second = pair->second;
        if (first != second) torn.fetch_add(1);
        // Values only grow, so a reader never sees an older one after a
        // newer one.
        if (first < last) went_back.fetch_add(1);
        last = first;
      }
    });
  }
  std::thread writer([&] {
    start.WaitForNotification();
    for (int64_t v = 1; v <= kWrites; ++v) snapshot.Set(MakePair(v));
  });
  start.Notify();
  writer.join();
  for (std::thread& reader : readers) reader.join();

  EXPECT_EQ(readers_started.load(), kReaders);
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(went_back.load(), 0);
  EXPECT_EQ(snapshot.Get()->first, kWrites);
  EXPECT_EQ(snapshot.Get()->second, kWrites);
}

}  // namespace
}  // namespace captoken::config
