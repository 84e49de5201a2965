// Tests for secret.h: a Secret copies its bytes, reveals them only through
// RevealSecretBytes(), never prints them, and cannot be copied or compared.

#include "service/token/secret.h"

#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace captoken::token {
namespace {

using ::captoken::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kAuthToken = "f0e1d2c3b4a5968778695a4b3c2d1e0f";

// Detects `a == b`, which a Secret must not offer.
template <typename T, typename = void>
struct HasEquality : std::false_type {};
template <typename T>
struct HasEquality<T, std::void_t<decltype(std::declval<const T&>() ==
                                           std::declval<const T&>())>>
    : std::true_type {};

TEST(Secret, RevealsTheBytesItWasCreatedWith) {
  ASSERT_OK_AND_ASSIGN(Secret secret, Secret::Create(kAuthToken));
  EXPECT_EQ(secret.RevealSecretBytes(), kAuthToken);
  EXPECT_EQ(secret.size(), kAuthToken.size());
}

TEST(Secret, CopiesTheBytesSoTheCallerMayWipeItsOwn) {
  std::string source(kAuthToken);
  ASSERT_OK_AND_ASSIGN(Secret secret, Secret::Create(source));
  WipeMemory(source.data(), source.size());
  source = "overwritten";
  EXPECT_EQ(secret.RevealSecretBytes(), kAuthToken);
  EXPECT_NE(secret.RevealSecretBytes().data(), source.data());
}

TEST(Secret, KeepsNonAsciiAndNulBytes) {
  const std::string bytes("caf\xC3\xA9\0\xFF tail", 11);
  ASSERT_OK_AND_ASSIGN(Secret secret, Secret::Create(bytes));
  EXPECT_EQ(secret.size(), 11u);
  EXPECT_EQ(std::string(secret.RevealSecretBytes()), bytes);
}

TEST(Secret, EmptyBytesAreRejected) {
  EXPECT_THAT(Secret::Create(""), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("secret is empty")));
  EXPECT_THAT(Secret::Create(absl::string_view()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

TEST(Secret, OneByteIsEnough) {
  ASSERT_OK_AND_ASSIGN(Secret secret, Secret::Create("x"));
  EXPECT_EQ(secret.RevealSecretBytes(), "x");
}

TEST(Secret, PrintsAPlaceholderNeverTheBytes) {
  ASSERT_OK_AND_ASSIGN(Secret secret, Secret::Create(kAuthToken));
  std::ostringstream printed;
  printed << secret;
  EXPECT_EQ(printed.str(), "Secret(redacted)");
  EXPECT_THAT(printed.str(), Not(HasSubstr(std::string(kAuthToken))));
  // GoogleTest's printer goes through operator<< as well.
  EXPECT_THAT(::testing::PrintToString(secret),
              Not(HasSubstr(std::string(kAuthToken))));
}

TEST(Secret, MovingKeepsTheBytes) {
  ASSERT_OK_AND_ASSIGN(Secret secret, Secret::Create(kAuthToken));
  Secret moved(std::move(secret));
  EXPECT_EQ(moved.RevealSecretBytes(), kAuthToken);

  ASSERT_OK_AND_ASSIGN(Secret assigned, Secret::Create("old"));
  assigned = std::move(moved);
  EXPECT_EQ(assigned.RevealSecretBytes(), kAuthToken);
  EXPECT_EQ(assigned.size(), kAuthToken.size());
}

TEST(Secret, CanBeKeptInAContainer) {
  std::vector<Secret> secrets;
  for (absl::string_view bytes : {"one", "two", "three"}) {
    ASSERT_OK_AND_ASSIGN(Secret secret, Secret::Create(bytes));
    secrets.push_back(std::move(secret));
  }
  EXPECT_EQ(secrets[0].RevealSecretBytes(), "one");
  EXPECT_EQ(secrets[2].RevealSecretBytes(), "three");
}

TEST(Secret, CannotBeCopiedOrComparedButCanBeMoved) {
  static_assert(!std::is_copy_constructible_v<Secret>);
  static_assert(!std::is_copy_assignable_v<Secret>);
  static_assert(std::is_nothrow_move_constructible_v<Secret>);
  static_assert(std::is_nothrow_move_assignable_v<Secret>);
  static_assert(!HasEquality<Secret>::value);
  static_assert(!std::is_default_constructible_v<Secret>);
  // The one way in is Create(): the constructor from bytes is private.
  static_assert(!std::is_constructible_v<Secret, absl::string_view>);
  static_assert(!std::is_constructible_v<Secret, std::string>);
}

TEST(WipingAllocator, BacksAVectorLikeTheStandardAllocator) {
  std::vector<char, internal::WipingAllocator<char>> bytes;
  for (int i = 0; i < 1000; ++i) bytes.push_back(static_cast<char>(i));
  bytes.shrink_to_fit();
  ASSERT_EQ(bytes.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(bytes[i], static_cast<char>(i));
}

TEST(WipingAllocator, AllInstancesAreInterchangeable) {
  EXPECT_TRUE(internal::WipingAllocator<char>() ==
              internal::WipingAllocator<int>());
  EXPECT_FALSE(internal::WipingAllocator<char>() !=
               internal::WipingAllocator<int>());
  internal::WipingAllocator<int> rebound{internal::WipingAllocator<char>()};
  int* p = rebound.allocate(4);
  p[0] = 1;
  rebound.deallocate(p, 4);
}

}  // namespace
}  // namespace captoken::token
