// Tests for signed_token.h.

#include "service/token/signed_token.h"

#include <type_traits>
#include <utility>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace captoken::token {
namespace {

TEST(SignedToken, IsAPlainAggregateOfTheTokenAndItsTimes) {
  static_assert(std::is_aggregate_v<SignedToken>);
  const SignedToken signed_token{.token = "a.b.c",
                                 .issue_time = absl::FromUnixSeconds(1),
                                 .expire_time = absl::FromUnixSeconds(2)};
  EXPECT_EQ(signed_token.token, "a.b.c");
  EXPECT_EQ(signed_token.expire_time - signed_token.issue_time,
            absl::Seconds(1));
}

TEST(SignedToken, MovesItsToken) {
  SignedToken signed_token{.token = "a.b.c"};
  SignedToken moved = std::move(signed_token);
  EXPECT_EQ(moved.token, "a.b.c");
}

}  // namespace
}  // namespace captoken::token
