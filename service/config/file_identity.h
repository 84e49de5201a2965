// File: file_identity.h
// -----------------------------------------------------------------------------
//
// FileIdentity is what stat(2) says of a file that tells one version from
// another without reading it: device, inode, size, modification time and
// change time, all in nanoseconds. The change time cannot be set by a
// writer and moves on every write, rename, link and chmod, so a file
// rewritten with its old size and modification time (or made readable
// again) still looks new; a symbolic link is followed, so a link swapped to
// another file (a Kubernetes Secret update) is another identity.
//
// Example:
//
//   struct stat info;
//   if (::stat(path, &info) == 0 && IdentityOf(info) != before) Reread();

#ifndef CAPTOKEN_SERVICE_CONFIG_FILE_IDENTITY_H_
#define CAPTOKEN_SERVICE_CONFIG_FILE_IDENTITY_H_

#include <sys/stat.h>

#include <cstdint>
#include <utility>

namespace captoken::config {

struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t size = 0;
  int64_t modified_ns = 0;
  int64_t changed_ns = 0;

  bool operator==(const FileIdentity& other) const {
    return device == other.device && inode == other.inode &&
           size == other.size && modified_ns == other.modified_ns &&
           changed_ns == other.changed_ns;
  }
  bool operator!=(const FileIdentity& other) const { return !(*this == other); }

  template <typename H>
  friend H AbslHashValue(H state, const FileIdentity& identity) {
    return H::combine(std::move(state), identity.device, identity.inode,
                      identity.size, identity.modified_ns, identity.changed_ns);
  }
};

// IdentityOf returns the identity `info` describes.
FileIdentity IdentityOf(const struct stat& info);

}  // namespace captoken::config

#endif  // CAPTOKEN_SERVICE_CONFIG_FILE_IDENTITY_H_
