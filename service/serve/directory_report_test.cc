// Tests for directory_report.h: a refresh is one summary line and the
// directory's metrics; each account that failed is an error line naming
// the account and what was kept; past kMaxProblemLines the rest are only
// counted.

#include "service/serve/directory_report.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/observe/metrics.h"
#include "tests/testing/json_lines.h"
#include "tests/testing/log_file.h"
#include "tests/testing/metrics_text.h"

namespace captoken::serve {
namespace {

using ::captoken::testing::LogFile;
using ::captoken::testing::ScrapeText;
using ::captoken::testing::StringField;
using ::testing::HasSubstr;

TEST(ReportDirectoryRefresh, LogsASummaryAndEachProblem) {
  LogFile log;
  observe::ServerMetrics metrics;
  config::AccountDirectory::Refreshed refreshed;
  refreshed.accounts = 10000;
  refreshed.files_read = 2;
  refreshed.changed = 1;
  refreshed.broken = 1;
  refreshed.problems.push_back({"AC11111111111111111111111111111111",
                                "account AC1...: auth token: too big", true});
  ReportDirectoryRefresh({"/secrets", "tenants"}, refreshed, log.logger(),
                         &metrics);

  const auto summary = log.Events("account_directory_refreshed");
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(StringField(summary[0], "directory"), "tenants");
  EXPECT_EQ(summary[0].Find("accounts")->AsInt64(), 10000);
  EXPECT_EQ(summary[0].Find("files_read")->AsInt64(), 2);
  EXPECT_EQ(summary[0].Find("changed")->AsInt64(), 1);
  EXPECT_EQ(summary[0].Find("broken")->AsInt64(), 1);
  EXPECT_EQ(summary[0].Find("problems_not_logged"), nullptr);
  const auto problems = log.Events("account_unreadable");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(StringField(problems[0], "account_sid"),
            "AC11111111111111111111111111111111");
  EXPECT_EQ(StringField(problems[0], "level"), "error");
  EXPECT_EQ(StringField(problems[0], "kept"), "the previous secrets");

  const std::string text = ScrapeText(metrics);
  EXPECT_THAT(text, HasSubstr("captoken_account_directory_accounts{directory="
                              "\"tenants\"} 10000"));
  EXPECT_THAT(text, HasSubstr("captoken_account_directory_read_failures_total{"
                              "directory=\"tenants\"} 1"));
}

TEST(ReportDirectoryRefresh, ManyProblemsAreCountedNotAllLogged) {
  LogFile log;
  observe::ServerMetrics metrics;
  config::AccountDirectory::Refreshed refreshed;
  for (size_t i = 0; i < kMaxProblemLines + 5; ++i) {
    refreshed.problems.push_back(
        {absl::StrCat("AC", i), "unreadable", /*kept_previous=*/false});
  }
  ReportDirectoryRefresh({"/secrets", "tenants"}, refreshed, log.logger(),
                         &metrics);
  const auto problems = log.Events("account_unreadable");
  ASSERT_EQ(problems.size(), kMaxProblemLines);
  EXPECT_EQ(StringField(problems[0], "kept"), "nothing: not served");
  const auto summary = log.Events("account_directory_refreshed");
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0].Find("problems_not_logged")->AsInt64(), 5);
}

}  // namespace
}  // namespace captoken::serve
