// Tests for kind_names.h: every token kind and grant kind has its fixed
// name, and the names are distinct.

#include "service/convert/kind_names.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "captoken/v1/config.pb.h"
#include "gtest/gtest.h"
#include "service/token/token_kind.h"

namespace captoken::convert {
namespace {

TEST(KindLabel, NamesEachKind) {
  EXPECT_EQ(KindLabel(token::TokenKind::kCapability), "capability");
  EXPECT_EQ(KindLabel(token::TokenKind::kTaskRouter), "taskrouter");
  EXPECT_EQ(KindLabel(token::TokenKind::kAccessToken), "access");
}

TEST(GrantKindLabel, NamesEachKindDistinctly) {
  absl::flat_hash_set<std::string> names;
  for (int kind = v1::GrantKind_MIN + 1; kind <= v1::GrantKind_MAX; ++kind) {
    const absl::string_view name =
        GrantKindLabel(static_cast<v1::GrantKind>(kind));
    EXPECT_NE(name, "unspecified") << kind;
    names.insert(std::string(name));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(v1::GrantKind_MAX));
  EXPECT_EQ(GrantKindLabel(v1::GRANT_KIND_SYNC), "sync");
  EXPECT_EQ(GrantKindLabel(v1::GRANT_KIND_PLAYBACK), "playback");
  EXPECT_EQ(GrantKindLabel(v1::GRANT_KIND_UNSPECIFIED), "unspecified");
  EXPECT_EQ(GrantKindLabel(static_cast<v1::GrantKind>(42)), "unspecified");
}

}  // namespace
}  // namespace captoken::convert
