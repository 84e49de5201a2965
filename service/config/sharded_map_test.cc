#include "service/config/sharded_map.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"

namespace captoken::config {
namespace {

struct Value {
  std::string account_sid;
  int version = 0;
};

std::string Sid(int i) { return absl::StrFormat("AC%032x", i); }

std::shared_ptr<const Value> Make(int i, int version) {
  return std::make_shared<const Value>(Value{Sid(i), version});
}

ShardedMap<Value> MapOf(int n) {
  ShardedMap<Value> map;
  for (int i = 0; i < n; ++i) map.Put(Make(i, 1));
  return map;
}

TEST(ShardedMap, FindsWhatWasPut) {
  const ShardedMap<Value> map = MapOf(5000);
  EXPECT_EQ(map.size(), 5000u);
  for (int i = 0; i < 5000; ++i) {
    const Value* value = map.Find(Sid(i));
    ASSERT_NE(value, nullptr) << i;
    EXPECT_EQ(value->account_sid, Sid(i));
  }
  EXPECT_EQ(map.Find(Sid(5000)), nullptr);
  EXPECT_FALSE(map.contains(Sid(5001)));
}

TEST(ShardedMap, PutReplacesAndEraseRemoves) {
  ShardedMap<Value> map = MapOf(10);
  map.Put(Make(3, 2));
  EXPECT_EQ(map.size(), 10u);
  EXPECT_EQ(map.Find(Sid(3))->version, 2);
  map.Erase(Sid(4));
  map.Erase(Sid(4));    // Already gone: nothing.
  map.Erase(Sid(999));  // Never there: nothing.
  EXPECT_EQ(map.size(), 9u);
  EXPECT_EQ(map.Find(Sid(4)), nullptr);
}

TEST(ShardedMap, ACopyChangedLeavesTheOriginalIntact) {
  auto original = std::make_shared<const ShardedMap<Value>>(MapOf(3000));
  ShardedMap<Value> next = *original;
  next.Put(Make(3, 2));
  next.Erase(Sid(4));
  next.Put(Make(5000, 1));

  EXPECT_EQ(original->size(), 3000u);
  EXPECT_EQ(original->Find(Sid(3))->version, 1);
  EXPECT_NE(original->Find(Sid(4)), nullptr);
  EXPECT_EQ(original->Find(Sid(5000)), nullptr);

  EXPECT_EQ(next.size(), 3000u);
  EXPECT_EQ(next.Find(Sid(3))->version, 2);
  EXPECT_EQ(next.Find(Sid(4)), nullptr);
  EXPECT_NE(next.Find(Sid(5000)), nullptr);
  EXPECT_EQ(next.Find(Sid(7))->version, 1);
}

TEST(ShardedMap, ACopyChangedCopiesOnlyTheShardsItChanged) {
  const ShardedMap<Value> original = MapOf(3000);
  ShardedMap<Value> next = original;
  next.Put(Make(3, 2));
  size_t shared = 0;
  for (size_t i = 0; i < ShardedMap<Value>::kShards; ++i) {
    if (next.SharesShardWith(original, i)) {
      ++shared;
    } else {
      EXPECT_EQ(i, ShardedMap<Value>::ShardOf(Sid(3)));
    }
  }
  EXPECT_EQ(shared, ShardedMap<Value>::kShards - 1);
  // A second change to the same shard changes the copy's own shard in
  // place, still leaving the original's alone.
  next.Put(Make(3, 3));
  EXPECT_EQ(original.Find(Sid(3))->version, 1);
  EXPECT_EQ(next.Find(Sid(3))->version, 3);
}

TEST(ShardedMap, AReplacedValueIsReleasedWithTheLastVersionHoldingIt) {
  ShardedMap<Value> first = MapOf(100);
  auto three = Make(3, 1);
  const std::weak_ptr<const Value> old_three = three;
  first.Put(std::move(three));
  auto original = std::make_shared<const ShardedMap<Value>>(std::move(first));
  ShardedMap<Value> next = *original;
  next.Put(Make(3, 2));
  EXPECT_FALSE(old_three.expired());  // The original still holds it.
  original.reset();
  EXPECT_TRUE(old_three.expired());  // No version holds it any more.
  EXPECT_EQ(next.Find(Sid(3))->version, 2);
}

TEST(ShardedMap, ForEachVisitsEveryEntryOnce) {
  const ShardedMap<Value> map = MapOf(2500);
  absl::flat_hash_map<std::string, int> seen;
  map.ForEach([&](absl::string_view key, const Value& value) {
    EXPECT_EQ(key, value.account_sid);
    ++seen[std::string(key)];
  });
  EXPECT_EQ(seen.size(), 2500u);
  for (int i = 0; i < 2500; ++i) EXPECT_EQ(seen[Sid(i)], 1) << i;
}

}  // namespace
}  // namespace captoken::config
