#include "service/observe/metrics.h"

#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/authz/refusal_reason.h"
#include "service/token/clock.h"
#include "tests/testing/metrics_text.h"

namespace captoken::observe {
namespace {

using ::captoken::testing::ScrapeText;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ServerMetrics, CountsCallsByMethodAndCode) {
  ServerMetrics metrics;
  metrics.RecordCall("MintCapabilityToken", absl::OkStatus(),
                     absl::Microseconds(40));
  metrics.RecordCall("MintCapabilityToken", absl::OkStatus(),
                     absl::Microseconds(40));
  metrics.RecordCall("MintCapabilityToken",
                     absl::InvalidArgumentError("ttl: must be positive"),
                     absl::Microseconds(10));
  const std::string text = ScrapeText(metrics);
  EXPECT_THAT(text, HasSubstr("captoken_rpc_calls_total{code=\"OK\",method="
                              "\"MintCapabilityToken\"} 2"));
  EXPECT_THAT(text,
              HasSubstr("captoken_rpc_calls_total{code=\"INVALID_ARGUMENT\","
                        "method=\"MintCapabilityToken\"} 1"));
  EXPECT_THAT(text, HasSubstr("captoken_refusals_total{reason="
                              "\"invalid_request\"} 1"));
  EXPECT_THAT(text, HasSubstr("captoken_rpc_latency_seconds_count{method="
                              "\"MintCapabilityToken\"} 3"));
  // Error messages never become labels.
  EXPECT_THAT(text, Not(HasSubstr("must be positive")));
}

TEST(ServerMetrics, AnUnlistedMethodIsCountedToo) {
  ServerMetrics metrics;
  metrics.RecordCall("SomethingNew", absl::OkStatus(), absl::Microseconds(1));
  EXPECT_THAT(ScrapeText(metrics),
              HasSubstr("captoken_rpc_calls_total{code=\"OK\",method="
                        "\"SomethingNew\"} 1"));
}

TEST(ServerMetrics, CountsMintsByKindAndProfile) {
  ServerMetrics metrics;
  metrics.RecordMint("capability", "twilio-node");
  metrics.RecordMint("capability", "twilio-node");
  metrics.RecordMint("capability", "twilio-python");
  const std::string text = ScrapeText(metrics);
  EXPECT_THAT(text, HasSubstr("captoken_tokens_minted_total{kind=\"capability"
                              "\",profile=\"twilio-node\"} 2"));
  EXPECT_THAT(text, HasSubstr("captoken_tokens_minted_total{kind=\"capability"
                              "\",profile=\"twilio-python\"} 1"));
}

TEST(ServerMetrics, EveryKindAndProfileStartsAtZero) {
  ServerMetrics metrics;
  metrics.RecordMint("access", "twilio-node");
  const std::string text = ScrapeText(metrics);
  for (const char* kind : {"capability", "taskrouter", "access"}) {
    for (const char* profile : {"twilio-python", "twilio-node",
                                "twilio-python-6", "twilio-python-7"}) {
      const int expected =
          std::string(kind) == "access" && std::string(profile) == "twilio-node"
              ? 1
              : 0;
      EXPECT_THAT(text, HasSubstr(absl::StrCat(
                            "captoken_tokens_minted_total{kind=\"", kind,
                            "\",profile=\"", profile, "\"} ", expected)));
    }
  }
}

TEST(ServerMetrics, CountsBatchItemsByCode) {
  ServerMetrics metrics;
  metrics.RecordBatchItem(absl::StatusCode::kOk);
  metrics.RecordBatchItem(absl::StatusCode::kOk);
  metrics.RecordBatchItem(absl::StatusCode::kResourceExhausted);
  const std::string text = ScrapeText(metrics);
  EXPECT_THAT(text, HasSubstr("captoken_batch_items_total{code=\"OK\"} 2"));
  EXPECT_THAT(text, HasSubstr("captoken_batch_items_total{code="
                              "\"RESOURCE_EXHAUSTED\"} 1"));
  // An item is not a call, and its refusal is counted apart
  // (RecordRefusal): the call and refusal counters are untouched.
  EXPECT_THAT(text, HasSubstr("captoken_rpc_calls_total{code=\"OK\",method="
                              "\"BatchMint\"} 0"));
  EXPECT_THAT(text,
              HasSubstr("captoken_refusals_total{reason=\"rate_limited\"} 0"));
  EXPECT_THAT(text, HasSubstr("captoken_rate_limited_total 0"));
}

TEST(ServerMetrics, CountsManyAtOnceAsOneByOne) {
  ServerMetrics metrics;
  metrics.RecordBatchItem(absl::StatusCode::kOk, 99);
  metrics.RecordBatchItem(absl::StatusCode::kOk);
  metrics.RecordMint("capability", "twilio-node", 99);
  metrics.RecordMint("capability", "twilio-node");
  metrics.RecordRefusal(authz::RefusalReason::kRateLimited, 3);
  const std::string text = ScrapeText(metrics);
  EXPECT_THAT(text, HasSubstr("captoken_batch_items_total{code=\"OK\"} 100"));
  EXPECT_THAT(text, HasSubstr("captoken_tokens_minted_total{kind=\"capability"
                              "\",profile=\"twilio-node\"} 100"));
  EXPECT_THAT(text, HasSubstr("captoken_rate_limited_total 3"));
  EXPECT_THAT(text,
              HasSubstr("captoken_refusals_total{reason=\"rate_limited\"} 3"));
}

TEST(ServerMetrics, CountsRefusalsByReasonEachFromZero) {
  ServerMetrics metrics;
  // A call counts by the reason its status carries.
  metrics.RecordCall(
      "MintAccessToken",
      authz::WithRefusalReason(authz::RefusalReason::kGrant,
                               absl::PermissionDeniedError("no")),
      absl::Microseconds(5));
  metrics.RecordRefusal(authz::RefusalReason::kTtl, 2);
  metrics.RecordRefusal(authz::RefusalReason::kNone);  // Not a refusal.
  const std::string text = ScrapeText(metrics);
  for (authz::RefusalReason reason : authz::kAllRefusalReasons) {
    const int expected = reason == authz::RefusalReason::kGrant ? 1
                         : reason == authz::RefusalReason::kTtl ? 2
                                                                : 0;
    EXPECT_THAT(
        text, HasSubstr(absl::StrCat("captoken_refusals_total{reason=\"",
                                     authz::RefusalReasonLabel(reason), "\"} ",
                                     expected)));
  }
  EXPECT_THAT(text, Not(HasSubstr("reason=\"none\"")));
  // Only rate refusals count as rate-limited.
  EXPECT_THAT(text, HasSubstr("captoken_rate_limited_total 0"));
}

TEST(ServerMetrics, ReloadsAndRateLimitsStartAtZero) {
  ServerMetrics metrics;
  std::string text = ScrapeText(metrics);
  EXPECT_THAT(text,
              HasSubstr("captoken_secret_reloads_total{outcome=\"ok\"} 0"));
  EXPECT_THAT(text,
              HasSubstr("captoken_secret_reloads_total{outcome=\"failed\"} 0"));
  EXPECT_THAT(text, HasSubstr("captoken_rate_limited_total 0"));
  metrics.RecordReload(true);
  metrics.RecordReload(false);
  metrics.RecordReload(false);
  metrics.RecordRefusal(authz::RefusalReason::kRateLimited);
  text = ScrapeText(metrics);
  EXPECT_THAT(text,
              HasSubstr("captoken_secret_reloads_total{outcome=\"ok\"} 1"));
  EXPECT_THAT(text,
              HasSubstr("captoken_secret_reloads_total{outcome=\"failed\"} 2"));
  EXPECT_THAT(text, HasSubstr("captoken_rate_limited_total 1"));
}

TEST(ServerMetrics, DirectoryRefreshesSetGaugesAndAddToCounters) {
  ServerMetrics metrics;
  metrics.RecordDirectoryRefresh("tenants", 10000, 1, 10000, 1);
  metrics.RecordDirectoryRefresh("tenants", 10001, 0, 2, 0);
  const std::string text = ScrapeText(metrics);
  EXPECT_THAT(text, HasSubstr("captoken_account_directory_accounts{directory="
                              "\"tenants\"} 10001"));
  EXPECT_THAT(text,
              HasSubstr("captoken_account_directory_broken_entries{directory="
                        "\"tenants\"} 0"));
  EXPECT_THAT(text, HasSubstr("captoken_account_directory_files_read_total{"
                              "directory=\"tenants\"} 10002"));
  EXPECT_THAT(text, HasSubstr("captoken_account_directory_read_failures_total{"
                              "directory=\"tenants\"} 1"));
}

TEST(ServerMetrics, SecretAgeIsSecondsSinceLoadingAtScrapeTime) {
  token::FixedClock clock(absl::FromUnixSeconds(1700000000));
  ServerMetrics metrics(&clock);
  metrics.SetSecretsLoaded(
      {"accounts[0].auth_token", "accounts[0].secondary_auth_token"},
      clock.Now());
  clock.Advance(absl::Seconds(42));
  std::string text = ScrapeText(metrics);
  EXPECT_THAT(text, HasSubstr("captoken_secret_age_seconds{secret=\"accounts[0]"
                              ".auth_token\"} 42"));
  EXPECT_THAT(text, HasSubstr("captoken_secret_age_seconds{secret=\"accounts[0]"
                              ".secondary_auth_token\"} 42"));
  // A reload replaces the set and restarts the ages.
  metrics.SetSecretsLoaded({"accounts[0].auth_token"}, clock.Now());
  clock.Advance(absl::Seconds(5));
  text = ScrapeText(metrics);
  EXPECT_THAT(text, HasSubstr("captoken_secret_age_seconds{secret=\"accounts[0]"
                              ".auth_token\"} 5"));
  EXPECT_THAT(text, Not(HasSubstr("secondary_auth_token")));
}

}  // namespace
}  // namespace captoken::observe
