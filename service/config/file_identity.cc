#include "service/config/file_identity.h"

namespace captoken::config {
namespace {

int64_t Nanoseconds(const struct timespec& time) {
  return static_cast<int64_t>(time.tv_sec) * 1000000000 + time.tv_nsec;
}

}  // namespace

FileIdentity IdentityOf(const struct stat& info) {
  FileIdentity identity;
  identity.device = static_cast<uint64_t>(info.st_dev);
  identity.inode = static_cast<uint64_t>(info.st_ino);
  identity.size = static_cast<int64_t>(info.st_size);
  identity.modified_ns = Nanoseconds(info.st_mtim);
  identity.changed_ns = Nanoseconds(info.st_ctim);
  return identity;
}

}  // namespace captoken::config
