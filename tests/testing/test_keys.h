// File: test_keys.h
// -----------------------------------------------------------------------------
//
// TestKey: an HMAC key from a test's secret, for every test that signs or
// verifies. HmacSha256Key::Create refuses only an empty secret, which no
// test passes by mistake; if one does, the test fails there, loudly.
//
// Example:
//
//   using ::captoken::testing::TestKey;
//   TwilioCapabilityToken token = Sign(spec, TestKey("secret"), clock);

#ifndef CAPTOKEN_TESTS_TESTING_TEST_KEYS_H_
#define CAPTOKEN_TESTS_TESTING_TEST_KEYS_H_

#include <cstdlib>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "service/token/crypto.h"

namespace captoken::testing {

inline token::HmacSha256Key TestKey(absl::string_view secret) {
  absl::StatusOr<token::HmacSha256Key> key =
      token::HmacSha256Key::Create(secret);
  if (!key.ok()) {
    ADD_FAILURE() << "TestKey: " << key.status();
    std::abort();
  }
  return *std::move(key);
}

}  // namespace captoken::testing

#endif  // CAPTOKEN_TESTS_TESTING_TEST_KEYS_H_
