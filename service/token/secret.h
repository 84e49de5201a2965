// File: secret.h
// -----------------------------------------------------------------------------
//
// Secret holds secret bytes (an auth token, an API key secret) in memory that
// is wiped when released, and makes reading them explicit.
//
// A Secret cannot be copied, printed or compared with ==. The one way to read
// its bytes is RevealSecretBytes(), so every use can be found with grep.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(Secret auth_token, Secret::Create(bytes));
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       HmacSha256Key key,
//       HmacSha256Key::Create(auth_token.RevealSecretBytes()));

#ifndef CAPTOKEN_SERVICE_TOKEN_SECRET_H_
#define CAPTOKEN_SERVICE_TOKEN_SECRET_H_

#include <cstddef>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/token/crypto.h"

namespace captoken::token {

namespace internal {

// WipingAllocator wipes every block before it returns it to the heap, so a
// vector that grows or dies leaves no copy of its bytes behind.
template <typename T>
struct WipingAllocator {
  using value_type = T;

  WipingAllocator() = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U>&) {}  // NOLINT: allocator rebind

  T* allocate(size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, size_t n) {
    WipeMemory(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }

  template <typename U>
  bool operator==(const WipingAllocator<U>&) const {
    return true;
  }
  template <typename U>
  bool operator!=(const WipingAllocator<U>&) const {
    return false;
  }
};

}  // namespace internal

class Secret {
 public:
  // Create copies `bytes` into wiped memory. The caller should wipe its own
  // copy (for example with WipeMemory) once this returns.
  //
  // Fails with INVALID_ARGUMENT if `bytes` is empty.
  static absl::StatusOr<Secret> Create(absl::string_view bytes);

  Secret(Secret&&) noexcept = default;
  Secret& operator=(Secret&&) noexcept = default;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  // size returns the number of bytes. It is not secret.
  size_t size() const { return bytes_.size(); }

  // RevealSecretBytes returns a view of the bytes, valid while this Secret
  // lives. Do not copy them into ordinary memory, log them or put them in an
  // error message.
  absl::string_view RevealSecretBytes() const {
    return absl::string_view(bytes_.data(), bytes_.size());
  }

  // Printing a Secret prints a placeholder, never the bytes.
  friend std::ostream& operator<<(std::ostream& os, const Secret&) {
    return os << "Secret(redacted)";
  }

 private:
  explicit Secret(absl::string_view bytes);

  std::vector<char, internal::WipingAllocator<char>> bytes_;
};

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_SECRET_H_
