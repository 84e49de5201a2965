// The audit trail under a stalled log reader (a slow collector, a full
// pipe). The server's standard error is a pipe this test stops reading once
// the server listens, while clients mint by BatchMint; then it reads the
// rest and compares the log with what the clients received.
//
//   --audit=fail_closed (the default): every token a client received has
//   its audit line; calls whose lines found no room fail with UNAVAILABLE.
//   --audit=drop: every call succeeds, and the lines lost are counted, in a
//   metric and in a log line.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "captoken/v1/token_service.pb.h"
#include "client/cpp/token_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/json_value.h"
#include "tests/testing/server_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace captoken {
namespace {

using ::captoken::testing::IsOk;

constexpr char kDevelopmentAccount[] = "AC00000000000000000000000000000000";
constexpr int kClients = 4;
constexpr int kBatchesPerClient = 40;
constexpr int kItemsPerBatch = 50;

// A development server whose standard error is a pipe the test reads only
// when it chooses to.
class StalledServer {
 public:
  explicit StalledServer(const std::vector<std::string>& flags) {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    read_fd_ = fds[0];
    // The smallest pipe buffer: the writer blocks after a page.
    ::fcntl(fds[1], F_SETPIPE_SZ, 4096);
    std::vector<std::string> argv = {
        testing::RunfilePath("service/server"), "--listen=127.0.0.1:0",
        "--metrics_listen=127.0.0.1:0", "--log_queue_lines=500",
        "--audit_wait=200ms"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    absl::StatusOr<pid_t> pid =
        testing::Launch(argv, {}, null_fd, fds[1], fds[1]);
    ::close(null_fd);
    ::close(fds[1]);
    EXPECT_THAT(pid, IsOk());
    pid_ = pid.value_or(-1);
    // Read up to the "listening" line, then stop reading.
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (absl::Now() < deadline && !absl::StrContains(output_, "listening")) {
      ReadSome();
    }
    port_ = NumberAfter("\"port\":");
    metrics_port_ = NumberAfter("\"metrics_port\":");
  }

  ~StalledServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (read_fd_ >= 0) ::close(read_fd_);
  }

  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }

  // Reads what is written while the server drains on SIGTERM and exits,
  // and returns everything it wrote.
  std::string StopAndReadAll() {
    std::thread reader([this] {
      while (ReadSome()) {
      }
    });
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    reader.join();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    return output_;
  }

 private:
  // One read; false at end of file.
  bool ReadSome() {
    char buffer[65536];
    const ssize_t n = ::read(read_fd_, buffer, sizeof(buffer));
    if (n <= 0) return n < 0 && errno == EINTR;
    output_.append(buffer, static_cast<size_t>(n));
    return true;
  }

  int NumberAfter(const std::string& key) const {
    const size_t at = output_.find(key);
    if (at == std::string::npos) return 0;
    int value = 0;
    absl::string_view digits =
        absl::string_view(output_).substr(at + key.size());
    digits = digits.substr(0, digits.find_first_not_of("0123456789"));
    return absl::SimpleAtoi(digits, &value) ? value : 0;
  }

  pid_t pid_ = -1;
  int read_fd_ = -1;
  int port_ = 0;
  int metrics_port_ = 0;
  std::string output_;
};

struct LoadResult {
  absl::flat_hash_set<std::string> received;  // token fingerprints
  int ok_calls = 0;
  int unavailable_calls = 0;
  int other_failures = 0;
  std::vector<std::string> unavailable_messages;
};

// A batch whose tokens no other call repeats (same claims in the same
// second would sign to the same bytes, and the same fingerprint).
v1::BatchMintRequest UniqueBatch(int client, int batch_index) {
  v1::BatchMintRequest batch;
  for (int i = 0; i < kItemsPerBatch; ++i) {
    v1::CapabilityRequest* request = batch.add_requests()->mutable_capability();
    request->set_account_sid(kDevelopmentAccount);
    request->add_scopes()->mutable_client_incoming()->set_client_name(
        absl::StrCat("c", client, "b", batch_index, "i", i));
  }
  return batch;
}

LoadResult MintBatches(int port) {
  LoadResult result;
  absl::Mutex mutex;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto client =
          client::TokenClient::Create(absl::StrCat("127.0.0.1:", port)).value();
      for (int b = 0; b < kBatchesPerClient; ++b) {
        absl::StatusOr<v1::BatchMintResponse> response =
            client->BatchMint(UniqueBatch(c, b));
        absl::MutexLock lock(&mutex);
        if (response.ok()) {
          ++result.ok_calls;
          for (const v1::MintResult& item : response->results()) {
            if (item.code() == 0) {
              result.received.insert(item.token().token_fingerprint());
            }
          }
        } else if (response.status().code() == absl::StatusCode::kUnavailable) {
          ++result.unavailable_calls;
          result.unavailable_messages.push_back(
              std::string(response.status().message()));
        } else {
          ++result.other_failures;
        }
      }
    });
  }
  for (std::thread& client : clients) client.join();
  return result;
}

// The fingerprints of the tokens the log says were issued.
struct Logged {
  absl::flat_hash_set<std::string> issued;
  int audit_lines = 0;
  int64_t reported_drops = 0;
};

Logged ReadLog(const std::string& output) {
  Logged logged;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (!absl::StartsWith(line, "{")) continue;  // the development banner
    absl::StatusOr<token::JsonValue> json = token::ParseJson(line);
    EXPECT_TRUE(json.ok()) << line;
    if (!json.ok()) continue;
    const token::JsonValue* event = json->Find("event");
    if (event == nullptr) continue;
    if (event->text() == "log_lines_dropped") {
      logged.reported_drops += json->Find("count")->AsInt64().value_or(0);
    }
    if (event->text() != "audit") continue;
    ++logged.audit_lines;
    const token::JsonValue* fingerprint = json->Find("token_fingerprint");
    const token::JsonValue* outcome = json->Find("outcome");
    if (fingerprint != nullptr && outcome != nullptr &&
        outcome->text() == "OK") {
      logged.issued.insert(fingerprint->text());
    }
  }
  return logged;
}

double MetricValue(int port, absl::string_view name) {
  absl::StatusOr<std::string> scrape = testing::HttpGet(port, "/metrics");
  EXPECT_THAT(scrape, IsOk());
  for (absl::string_view line : absl::StrSplit(scrape.value_or(""), '\n')) {
    if (absl::StartsWith(line, absl::StrCat(name, " "))) {
      double value = -1;
      if (absl::SimpleAtod(line.substr(name.size() + 1), &value)) return value;
    }
  }
  return -1;
}

TEST(AuditBacklog, ByDefaultEveryTokenReceivedHasItsAuditLine) {
  StalledServer server({});
  ASSERT_NE(server.port(), 0);
  const LoadResult load = MintBatches(server.port());
  EXPECT_EQ(load.other_failures, 0);
  // The stall mattered: some calls found no room and issued nothing.
  EXPECT_GT(load.unavailable_calls, 0);
  for (const std::string& message : load.unavailable_messages) {
    EXPECT_THAT(message, ::testing::HasSubstr("audit log"));
  }
  EXPECT_GT(load.ok_calls, 0);
  EXPECT_EQ(MetricValue(server.metrics_port(), "captoken_audit_refusals_total"),
            load.unavailable_calls);
  // Only a refused call's own line may be lost (it issued nothing).
  EXPECT_LE(
      MetricValue(server.metrics_port(), "captoken_audit_lines_dropped_total"),
      load.unavailable_calls);

  const Logged logged = ReadLog(server.StopAndReadAll());
  // Exactly the tokens the clients received were audited as issued.
  EXPECT_EQ(logged.issued.size(), load.received.size());
  for (const std::string& fingerprint : load.received) {
    EXPECT_TRUE(logged.issued.contains(fingerprint)) << fingerprint;
  }
}

TEST(AuditBacklog, DropModeReturnsEveryTokenAndCountsTheLostLines) {
  StalledServer server({"--audit=drop"});
  ASSERT_NE(server.port(), 0);
  const LoadResult load = MintBatches(server.port());
  EXPECT_EQ(load.other_failures + load.unavailable_calls, 0);
  EXPECT_EQ(load.received.size(),
            size_t{kClients * kBatchesPerClient * kItemsPerBatch});
  const double dropped =
      MetricValue(server.metrics_port(), "captoken_audit_lines_dropped_total");

  const Logged logged = ReadLog(server.StopAndReadAll());
  const int expected_lines =
      kClients * kBatchesPerClient * (kItemsPerBatch + 1);
  EXPECT_GT(dropped, 0);
  // Every line is either in the log or counted as lost.
  EXPECT_EQ(logged.audit_lines + static_cast<int>(dropped), expected_lines);
  // And the log itself says how many it lost.
  EXPECT_EQ(logged.reported_drops, static_cast<int64_t>(dropped));
}

}  // namespace
}  // namespace captoken
