// End-to-end test of accounts from a secrets directory (docs/server.md,
// "Accounts from a directory"): the real server started on a directory of
// 10,000 accounts, called through the generated stubs as a mesh sidecar
// would (so that caller policies over account sets apply). Each change (one
// secret changed, one account added, one removed, one broken) is applied by
// change notification alone, with no SIGHUP and the polling watcher off:
// each must read exactly the files of the account that changed (its
// account_directory_refreshed lines, marked "scan":"notified", and the
// files-read counter say so), and each outcome must be the documented one.
// SIGHUP, the full scan kept as a backstop, then finds nothing to read.

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "captoken/v1/token_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/token/capability_verifier.h"
#include "tests/testing/json_lines.h"
#include "tests/testing/server_process.h"
#include "tests/testing/sidecar_call.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_keys.h"

namespace captoken {
namespace {

using ::captoken::testing::CallAs;
using ::captoken::testing::IsOk;
using ::captoken::testing::ServerOptions;
using ::captoken::testing::ServerProcess;
using ::captoken::testing::StringField;
using ::captoken::testing::TestKey;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kAccounts = 10000;
// Every tenth account carries this label.
constexpr char kGoldLabel[] = "tier:gold";
constexpr char kAllTenants[] = "spiffe://e2e.example/all-tenants";
constexpr char kGoldOnly[] = "spiffe://e2e.example/gold-only";

std::string Sid(int i) { return absl::StrFormat("AC%032x", i); }
std::string Secret(int i) { return absl::StrCat("dir-e2e-secret-", i, "-7c1"); }

void WriteFile(const std::string& path, const std::string& content) {
  // Written aside and renamed, as a secrets sync does, so that the server
  // never sees half a file.
  const std::string temporary = path + ".tmp";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << content;
  }
  ASSERT_EQ(std::rename(temporary.c_str(), path.c_str()), 0) << path;
}

class AccountDirectoryE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::string(testing::TempPath("accounts"));
    ASSERT_EQ(::mkdir(root_->c_str(), 0700), 0);
    for (int i = 0; i < kAccounts; ++i) AddAccount(i, Secret(i));
    // Not accounts, and skipped: what a projected Secret leaves beside them.
    ASSERT_EQ(::mkdir((*root_ + "/..data").c_str(), 0700), 0);
  }

  static std::string AccountPath(int i) {
    return absl::StrCat(*root_, "/", Sid(i));
  }

  // Written in a hidden directory and renamed into place, as a secrets
  // sync adds an account whole.
  static void AddAccount(int i, const std::string& secret) {
    const std::string staging = absl::StrCat(*root_, "/.staging-", Sid(i));
    ASSERT_EQ(::mkdir(staging.c_str(), 0700), 0);
    WriteFile(staging + "/auth_token", secret + "\n");
    if (i % 10 == 0) WriteFile(staging + "/labels", kGoldLabel);
    ASSERT_EQ(::rename(staging.c_str(), AccountPath(i).c_str()), 0);
  }

  static ServerOptions Options() {
    ServerOptions options;
    options.config = absl::StrCat(
        "transport { mesh_sidecar { trust_forwarded_client_cert: true } }\n"
        "secret_watch_interval { seconds: 0 }\n"
        "account_directories { path: \"",
        *root_,
        "\" name: \"tenants\" }\n"
        "callers { identity: \"",
        kAllTenants,
        "\" account_sets { directory: \"tenants\" }"
        " scope_kinds: SCOPE_KIND_EVENT_STREAM }\n"
        "callers { identity: \"",
        kGoldOnly, "\" account_sets { label: \"", kGoldLabel,
        "\" } scope_kinds: SCOPE_KIND_EVENT_STREAM }\n");
    options.args = {"--metrics_listen=127.0.0.1:0"};
    return options;
  }

  // Mints for account `i` as `caller`; the status, and the token.
  grpc::Status Mint(absl::string_view caller, int i, std::string* token) {
    v1::CapabilityRequest request;
    request.set_account_sid(Sid(i));
    request.add_scopes()->mutable_event_stream();
    v1::TokenResponse response;
    grpc::Status status = CallAs(server_->target(), caller,
                                 &v1::TokenService::Stub::MintCapabilityToken,
                                 request, &response);
    *token = response.token();
    return status;
  }

  // Whether account `i` mints, for the all-tenants caller, a token that
  // verifies with `secret`.
  bool MintsWith(int i, const std::string& secret) {
    std::string token;
    if (!Mint(kAllTenants, i, &token).ok()) return false;
    token::CapabilityVerifier::Options options;
    options.expected_account_sid = Sid(i);
    absl::StatusOr<token::CapabilityVerifier> verifier =
        token::CapabilityVerifier::Create(options);
    return verifier.ok() && verifier->Verify(token, TestKey(secret)).ok();
  }

  // The server's log lines of `event`.
  std::vector<token::JsonValue> Events(absl::string_view event) {
    absl::StatusOr<std::vector<token::JsonValue>> lines =
        testing::ParseJsonLines(server_->Output());
    EXPECT_THAT(lines, IsOk());
    std::vector<token::JsonValue> found;
    if (!lines.ok()) return {};
    for (token::JsonValue& line : *lines) {
      if (StringField(line, "event") == event) found.push_back(line);
    }
    return found;
  }

  // Sends SIGHUP, waits for the reload, and returns its
  // account_directory_refreshed line.
  token::JsonValue Reload() {
    ++reloads_;
    const size_t before = Events("account_directory_refreshed").size();
    server_->process().Signal(SIGHUP);
    EXPECT_TRUE(server_->WaitForLogEvent("reloaded", reloads_))
        << server_->Output();
    std::vector<token::JsonValue> refreshed =
        Events("account_directory_refreshed");
    EXPECT_EQ(refreshed.size(), before + 1);
    if (refreshed.empty()) return token::JsonValue();
    EXPECT_EQ(StringField(refreshed.back(), "scan"), "full");
    return refreshed.back();
  }

  // What the change notifications since `mark` refreshed lines did, once
  // `done` holds for it: the counts summed over the notified refreshes (a
  // burst of events may be split over two), the others as of the last.
  // With no SIGHUP sent: notification alone applies the change.
  struct Notified {
    int64_t files_read = 0;
    int64_t added = 0;
    int64_t changed = 0;
    int64_t removed = 0;
    int64_t accounts = -1;
    int64_t broken = -1;
  };
  Notified AwaitNotified(size_t mark,
                         const std::function<bool(const Notified&)>& done) {
    const int reloads = static_cast<int>(Events("reloaded").size());
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    Notified notified;
    while (absl::Now() < deadline) {
      std::vector<token::JsonValue> refreshed =
          Events("account_directory_refreshed");
      notified = Notified();
      for (size_t i = mark; i < refreshed.size(); ++i) {
        EXPECT_EQ(StringField(refreshed[i], "scan"), "notified");
        EXPECT_EQ(Field(refreshed[i], "looked_at"), 1);
        notified.files_read += Field(refreshed[i], "files_read");
        notified.added += Field(refreshed[i], "added");
        notified.changed += Field(refreshed[i], "changed");
        notified.removed += Field(refreshed[i], "removed");
        notified.accounts = Field(refreshed[i], "accounts");
        notified.broken = Field(refreshed[i], "broken");
      }
      if (refreshed.size() > mark && done(notified)) break;
      absl::SleepFor(absl::Milliseconds(10));
    }
    EXPECT_TRUE(done(notified)) << server_->Output();
    EXPECT_EQ(static_cast<int>(Events("reloaded").size()), reloads);
    return notified;
  }

  // Waits until `count` changes have been published (account_changes_applied
  // lines), so that a call made next sees the change.
  void AwaitApplied(int count) {
    EXPECT_TRUE(server_->WaitForLogEvent("account_changes_applied", count))
        << server_->Output();
  }

  size_t Mark() { return Events("account_directory_refreshed").size(); }

  static int64_t Field(const token::JsonValue& line, absl::string_view name) {
    const token::JsonValue* value = line.Find(name);
    return value == nullptr ? -1 : value->AsInt64().value_or(-1);
  }

  double Metric(absl::string_view series) {
    absl::StatusOr<std::string> scrape =
        testing::HttpGet(server_->metrics_port(), "/metrics");
    EXPECT_THAT(scrape, IsOk());
    for (absl::string_view line : absl::StrSplit(scrape.value_or(""), '\n')) {
      if (absl::StartsWith(line, series) && line.size() > series.size() &&
          line[series.size()] == ' ') {
        double value = -1;
        if (absl::SimpleAtod(line.substr(series.size() + 1), &value)) {
          return value;
        }
      }
    }
    return -1;
  }

  static std::string* root_;
  std::unique_ptr<ServerProcess> server_;
  int reloads_ = 0;
};

std::string* AccountDirectoryE2eTest::root_ = nullptr;

TEST_F(AccountDirectoryE2eTest, TenThousandAccountsChangeOneAtATime) {
  ASSERT_OK_AND_ASSIGN(server_, ServerProcess::Start(Options()));
  std::cerr << "started with " << kAccounts << " accounts in "
            << absl::FormatDuration(server_->startup_time()) << "\n";
  const std::vector<token::JsonValue> listening = Events("listening");
  ASSERT_EQ(listening.size(), 1u);
  EXPECT_EQ(Field(listening[0], "accounts"), kAccounts);
  std::vector<token::JsonValue> first = Events("account_directory_refreshed");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(Field(first[0], "accounts"), kAccounts);
  // Every auth token, and the labels of every tenth account.
  EXPECT_EQ(Field(first[0], "files_read"), kAccounts + kAccounts / 10);
  EXPECT_EQ(Field(first[0], "broken"), 0);
  EXPECT_EQ(Field(first[0], "ignored"), 0);

  // Minting for several accounts, each with its own secret.
  for (int i : {0, 1, 2, 3, 4999, kAccounts - 1}) {
    EXPECT_TRUE(MintsWith(i, Secret(i))) << i;
  }
  // The label policy: gold accounts only, others refused like unknown ones.
  std::string token;
  EXPECT_TRUE(Mint(kGoldOnly, 10, &token).ok());
  const grpc::Status silver = Mint(kGoldOnly, 11, &token);
  EXPECT_EQ(silver.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const grpc::Status unknown = Mint(kAllTenants, kAccounts + 5, &token);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(unknown.error_message(), silver.error_message());
  // GetCallerPolicy reports the set.
  v1::GetCallerPolicyResponse policy;
  ASSERT_TRUE(CallAs(server_->target(), kGoldOnly,
                     &v1::TokenService::Stub::GetCallerPolicy,
                     v1::GetCallerPolicyRequest(), &policy)
                  .ok());
  ASSERT_EQ(policy.policy().account_sets_size(), 1);
  EXPECT_EQ(policy.policy().account_sets(0).label(), kGoldLabel);

  // Nothing changed: nothing read.
  token::JsonValue refreshed = Reload();
  EXPECT_EQ(Field(refreshed, "files_read"), 0);

  // One secret changed: that file alone is read, and the new secret signs,
  // with no SIGHUP.
  size_t mark = Mark();
  WriteFile(AccountPath(1) + "/auth_token", "dir-e2e-rotated-1");
  Notified notified =
      AwaitNotified(mark, [](const Notified& n) { return n.changed >= 1; });
  AwaitApplied(1);
  EXPECT_EQ(notified.files_read, 1);
  EXPECT_EQ(notified.changed, 1);
  EXPECT_TRUE(MintsWith(1, "dir-e2e-rotated-1"));
  EXPECT_FALSE(MintsWith(1, Secret(1)));

  // One account added (written aside, then renamed into place): served,
  // its files alone read.
  mark = Mark();
  AddAccount(kAccounts, Secret(kAccounts));
  notified =
      AwaitNotified(mark, [](const Notified& n) { return n.added >= 1; });
  AwaitApplied(2);
  EXPECT_EQ(notified.files_read, 2);  // auth_token and labels
  EXPECT_EQ(notified.added, 1);
  EXPECT_EQ(notified.accounts, kAccounts + 1);
  EXPECT_TRUE(MintsWith(kAccounts, Secret(kAccounts)));
  EXPECT_TRUE(Mint(kGoldOnly, kAccounts, &token).ok());

  // One account removed (its directory moved out): no longer minted for,
  // nothing read.
  mark = Mark();
  ASSERT_EQ(::rename(AccountPath(2).c_str(),
                     absl::StrCat(*root_, "-removed-2").c_str()),
            0);
  notified =
      AwaitNotified(mark, [](const Notified& n) { return n.removed >= 1; });
  AwaitApplied(3);
  EXPECT_EQ(notified.files_read, 0);
  EXPECT_EQ(notified.removed, 1);
  EXPECT_EQ(notified.accounts, kAccounts);
  EXPECT_EQ(Mint(kAllTenants, 2, &token).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // One account broken (a file over the 4 KiB bound): reported, and the
  // account keeps minting with its previous secret.
  const std::string oversized(5000, 'q');
  mark = Mark();
  WriteFile(AccountPath(3) + "/auth_token", oversized);
  notified =
      AwaitNotified(mark, [](const Notified& n) { return n.broken >= 1; });
  EXPECT_EQ(notified.files_read, 1);
  EXPECT_EQ(notified.broken, 1);
  const std::vector<token::JsonValue> unreadable = Events("account_unreadable");
  ASSERT_EQ(unreadable.size(), 1u);
  EXPECT_EQ(StringField(unreadable[0], "account_sid"), Sid(3));
  EXPECT_EQ(StringField(unreadable[0], "kept"), "the previous secrets");
  EXPECT_THAT(StringField(unreadable[0], "reason"),
              HasSubstr("larger than 4 KiB"));
  EXPECT_TRUE(MintsWith(3, Secret(3)));

  // SIGHUP, the full scan: every change was applied already.
  refreshed = Reload();
  EXPECT_EQ(Field(refreshed, "files_read"), 0);
  EXPECT_EQ(Field(refreshed, "added") + Field(refreshed, "changed") +
                Field(refreshed, "removed"),
            0);
  EXPECT_EQ(Field(refreshed, "accounts"), kAccounts);

  // Still broken, not read again, not reported again.
  refreshed = Reload();
  EXPECT_EQ(Field(refreshed, "files_read"), 0);
  EXPECT_EQ(Field(refreshed, "broken"), 1);
  EXPECT_EQ(Events("account_unreadable").size(), 1u);

  // The metrics agree: every file read once at start-up, then 1 + 2 + 1.
  EXPECT_EQ(Metric("captoken_account_directory_files_read_total{directory="
                   "\"tenants\"}"),
            kAccounts + kAccounts / 10 + 4);
  EXPECT_EQ(Metric("captoken_account_directory_accounts{directory="
                   "\"tenants\"}"),
            kAccounts);
  EXPECT_EQ(Metric("captoken_account_directory_broken_entries{directory="
                   "\"tenants\"}"),
            1);
  EXPECT_EQ(Metric("captoken_account_directory_read_failures_total{"
                   "directory=\"tenants\"}"),
            1);

  // No secret, and nothing of the broken file, ever reached the output.
  const std::string output = server_->Output();
  for (const std::string& secret :
       {Secret(0), Secret(1), Secret(3), Secret(kAccounts),
        std::string("dir-e2e-rotated-1"), std::string(64, 'q')}) {
    EXPECT_THAT(output, Not(HasSubstr(secret)));
  }
}

TEST(AccountDirectoryConfig, AnAccountBothListedAndInTheDirectoryIsRefused) {
  const std::string root = testing::TempPath("duplicate-accounts");
  ASSERT_EQ(::mkdir(root.c_str(), 0700), 0);
  const std::string account = absl::StrCat(root, "/", Sid(7));
  ASSERT_EQ(::mkdir(account.c_str(), 0700), 0);
  WriteFile(account + "/auth_token", Secret(7));
  ServerOptions options;
  options.config = absl::StrCat("accounts { account_sid: \"", Sid(7),
                                "\" auth_token { env: \"DIR_E2E_LISTED\" } }\n"
                                "account_directories { path: \"",
                                root, "\" }\n");
  options.env = {{"DIR_E2E_LISTED", "dir-e2e-listed-secret"}};
  absl::StatusOr<testing::ProcessResult> result =
      testing::RunServerExpectingFailure(options);
  ASSERT_THAT(result, IsOk());
  EXPECT_NE(result->exit_code, 0);
  EXPECT_THAT(result->stderr_text,
              HasSubstr(absl::StrCat("account ", Sid(7),
                                     " is configured more than once: in "
                                     "accounts[0] and in "
                                     "account_directories[0] ",
                                     root)));
  EXPECT_THAT(result->stderr_text, Not(HasSubstr(Secret(7))));
}

}  // namespace
}  // namespace captoken
