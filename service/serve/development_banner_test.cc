// Tests for development_banner.h: the banner names the port it serves on,
// the development account and its public credentials, and two commands
// that work against it as printed.

#include "service/serve/development_banner.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/config/server_config.h"

namespace captoken::serve {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(DevelopmentBanner, SaysItIsDevelopmentModeOnLoopbackAndThePort) {
  const std::string banner = DevelopmentBanner(41234);
  EXPECT_THAT(banner, HasSubstr("DEVELOPMENT MODE"));
  EXPECT_THAT(banner, HasSubstr("on 127.0.0.1:41234 only."));
  // Both commands point at the port actually bound (--listen=...:0).
  EXPECT_THAT(banner, HasSubstr("mint capability --server=127.0.0.1:41234"));
  EXPECT_THAT(banner, HasSubstr("mint access --server=127.0.0.1:41234"));
  EXPECT_THAT(banner, Not(HasSubstr("50051")));
}

TEST(DevelopmentBanner, GivesThePublicDevelopmentCredentials) {
  const std::string banner = DevelopmentBanner(50051);
  EXPECT_THAT(banner,
              HasSubstr(absl::StrCat(
                  "Account SID ", config::kDevelopmentAccountSid,
                  ", auth token \"", config::kDevelopmentAuthToken, "\"")));
  EXPECT_THAT(banner,
              HasSubstr(absl::StrCat(
                  "development API key ", config::kDevelopmentApiKeySid,
                  ", secret \"", config::kDevelopmentApiKeySecret, "\"")));
  EXPECT_THAT(banner, HasSubstr("never a real account or key"));
}

TEST(DevelopmentBanner, ItsCommandsMintForTheDevelopmentAccount) {
  const std::string banner = DevelopmentBanner(50051);
  EXPECT_THAT(banner,
              HasSubstr(absl::StrCat("--request='{\"account_sid\":\"",
                                     config::kDevelopmentAccountSid,
                                     "\",\"scopes\":[{\"client_incoming\":{"
                                     "\"client_name\":\"alice\"}}]}'")));
  EXPECT_THAT(banner,
              HasSubstr(absl::StrCat("--request='{\"account_sid\":\"",
                                     config::kDevelopmentAccountSid,
                                     "\",\"identity\":\"alice\",\"grants\":[{"
                                     "\"video\":{}}]}'")));
}

}  // namespace
}  // namespace captoken::serve
