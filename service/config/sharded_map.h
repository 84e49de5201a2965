// File: sharded_map.h
// -----------------------------------------------------------------------------
//
// ShardedMap<V> holds shared, immutable values by their `account_sid`, split
// over a fixed number of shards, each its own hash map held by shared
// pointer. Copying a ShardedMap copies kShards pointers, not the values;
// changing a copy copies only the shards it changes, the first time it
// changes each. So a table of a million accounts in which one account
// changes costs one shard's copy (about a thousand pointers), not a million,
// and the version that calls in flight still read is left intact: each
// published version is immutable, and a value (with its secrets) is
// released when the last version that holds it is.
//
// A lookup hashes the key once to pick the shard and once in the shard's
// map: two hashes and one probe, whatever the size.
//
// Not thread-safe to change; a const ShardedMap (the published one) may be
// read from any number of threads.
//
// Example:
//
//   ShardedMap<Account> next = *published;   // kShards pointer copies
//   next.Put(std::make_shared<const Account>(...));
//   next.Erase("AC...");
//   published = std::make_shared<const ShardedMap<Account>>(std::move(next));

#ifndef CAPTOKEN_SERVICE_CONFIG_SHARDED_MAP_H_
#define CAPTOKEN_SERVICE_CONFIG_SHARDED_MAP_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace captoken::config {

template <typename V>
class ShardedMap {
 public:
  // 1,024 shards: at a million accounts about a thousand a shard, so a
  // change copies some 16 KiB of pointers and a copy of the whole map 16
  // KiB; a small map pays 16 KiB of empty slots, once per version.
  static constexpr size_t kShards = 1024;

  // Each key views the value's own account_sid, so it stays valid as long
  // as the entry does.
  using Shard =
      absl::flat_hash_map<absl::string_view, std::shared_ptr<const V>>;

  ShardedMap() = default;

  // Find returns the value for `key`, or nullptr.
  const V* Find(absl::string_view key) const {
    const Shard* shard = shards_[ShardOf(key)].get();
    if (shard == nullptr) return nullptr;
    auto it = shard->find(key);
    return it == shard->end() ? nullptr : it->second.get();
  }

  bool contains(absl::string_view key) const { return Find(key) != nullptr; }

  size_t size() const { return size_; }

  // Put adds `value` under its account_sid, replacing any value there.
  void Put(std::shared_ptr<const V> value) {
    Shard& shard = Writable(ShardOf(value->account_sid));
    const absl::string_view key = value->account_sid;
    // Erased first: the old key views the old value's SID.
    size_ -= shard.erase(key);
    shard.emplace(key, std::move(value));
    ++size_;
  }

  // Erase removes the value for `key`, if any.
  void Erase(absl::string_view key) {
    const size_t index = ShardOf(key);
    if (shards_[index] == nullptr || !shards_[index]->contains(key)) return;
    size_ -= Writable(index).erase(key);
  }

  // ForEach calls `visit(key, value)` for each entry, in no order.
  template <typename F>
  void ForEach(F visit) const {
    for (const std::shared_ptr<const Shard>& shard : shards_) {
      if (shard == nullptr) continue;
      for (const auto& [key, value] : *shard) visit(key, *value);
    }
  }

  // SharesShardWith says whether shard `index` is the same object in both
  // maps (for tests: what a change copied and what it shared).
  bool SharesShardWith(const ShardedMap& other, size_t index) const {
    return shards_[index] == other.shards_[index];
  }

  static size_t ShardOf(absl::string_view key) {
    // The top bits: the shard's own map probes with the low ones.
    return absl::Hash<absl::string_view>{}(key) >> (64 - kShardBits);
  }

 private:
  static constexpr int kShardBits = 10;
  static_assert(size_t{1} << kShardBits == kShards);
  static_assert(sizeof(size_t) == 8);

  // The shard at `index`, this map's own: copied first if another version
  // may hold it.
  Shard& Writable(size_t index) {
    std::shared_ptr<const Shard>& slot = shards_[index];
    if (slot != nullptr && slot.use_count() == 1) {
      // Held by this map alone: no other version reads it. The fence pairs
      // with the release of the last other holder, whose reads must come
      // before these writes.
      std::atomic_thread_fence(std::memory_order_acquire);
      return const_cast<Shard&>(*slot);
    }
    auto copy = slot == nullptr ? std::make_shared<Shard>()
                                : std::make_shared<Shard>(*slot);
    Shard& writable = *copy;
    slot = std::move(copy);
    return writable;
  }

  std::array<std::shared_ptr<const Shard>, kShards> shards_;
  size_t size_ = 0;
};

}  // namespace captoken::config

#endif  // CAPTOKEN_SERVICE_CONFIG_SHARDED_MAP_H_
