#include "service/snapshot.h"

namespace captoken::service::internal {

uint64_t NextSnapshotVersion() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace captoken::service::internal
