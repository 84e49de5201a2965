// Tests for serving_process.h, driven by a fake signal source instead of
// real signals: start-up (the development banner before the `listening`
// line, never a configured secret), SIGHUP and file changes reloading
// while the server serves, SIGTERM and SIGINT draining, a reload stuck in
// a read never holding up shutdown, and the start-up refusals.

#include "service/serve/serving_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "captoken/v1/token_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/config/server_config.h"
#include "service/observe/log.h"
#include "service/token/capability_verifier.h"
#include "tests/testing/json_lines.h"
#include "tests/testing/log_file.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_keys.h"

namespace captoken::serve {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::LogFile;
using ::captoken::testing::StatusIs;
using ::captoken::testing::StringField;
using ::captoken::testing::TestKey;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kSid[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kSecret[] = "serving-process-secret-old-7d21";
constexpr char kNewSecret[] = "serving-process-secret-new-0b9c";

// Signals as a test sends them: Wait blocks until one is sent.
class FakeSignals {
 public:
  void Send(int signal_number) {
    absl::MutexLock lock(&mutex_);
    sent_.push_back(signal_number);
  }

  int Wait() {
    absl::MutexLock lock(&mutex_);
    auto any = [this]() ABSL_SHARED_LOCKS_REQUIRED(mutex_) {
      return !sent_.empty();
    };
    mutex_.Await(absl::Condition(&any));
    const int signal_number = sent_.front();
    sent_.pop_front();
    return signal_number;
  }

  WaitForSignal Source() {
    return [this] { return Wait(); };
  }

 private:
  absl::Mutex mutex_;
  std::deque<int> sent_ ABSL_GUARDED_BY(mutex_);
};

// The events of `lines` but the calls' audit lines, in order.
std::vector<std::string> LifecycleEvents(
    const std::vector<token::JsonValue>& lines) {
  std::vector<std::string> events;
  for (const token::JsonValue& line : lines) {
    if (StringField(line, "event") != "audit") {
      events.push_back(StringField(line, "event"));
    }
  }
  return events;
}

class ServingProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(testing::WriteFile(secret_file_, kSecret), IsOk());
    ASSERT_THAT(testing::WriteFile(config_path_, Config()), IsOk());
  }

  // One account, its auth token in secret_file_, on a free loopback port.
  std::string Config(absl::string_view extra = "") const {
    return absl::StrCat("listen_address: \"127.0.0.1:0\"\n", extra,
                        "accounts { account_sid: \"", kSid,
                        "\" auth_token { file: \"", secret_file_, "\" } }\n");
  }

  ServingOptions ConfiguredOptions() {
    ServingOptions options;
    options.config_path = config_path_;
    options.banner = &banner_;
    return options;
  }

  // Created and started, or a test failure.
  std::unique_ptr<ServingProcess> Started(ServingOptions options) {
    absl::StatusOr<std::unique_ptr<ServingProcess>> process =
        ServingProcess::Create(std::move(options), log_.logger());
    EXPECT_THAT(process, IsOk());
    if (!process.ok()) return nullptr;
    EXPECT_THAT((*process)->Start(), IsOk());
    return *std::move(process);
  }

  // Mints a capability token for `sid` from the server on `port`.
  static grpc::Status Mint(int port, absl::string_view sid,
                           v1::TokenResponse* response) {
    auto stub = v1::TokenService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
    v1::CapabilityRequest request;
    request.set_account_sid(std::string(sid));
    request.add_scopes()->mutable_client_incoming()->set_client_name("alice");
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    return stub->MintCapabilityToken(&context, request, response);
  }

  // Whether the server on `port` mints a token for kSid that verifies with
  // `secret`.
  static bool MintsWith(int port, absl::string_view secret) {
    v1::TokenResponse response;
    const grpc::Status status = Mint(port, kSid, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    absl::StatusOr<token::CapabilityVerifier> verifier =
        token::CapabilityVerifier::Create({});
    EXPECT_THAT(verifier, IsOk());
    return status.ok() &&
           verifier->Verify(response.token(), TestKey(secret)).ok();
  }

  const std::string secret_file_ = testing::TempPath("auth-token");
  const std::string config_path_ = testing::TempPath("captoken.textproto");
  std::ostringstream banner_;
  LogFile log_;
  FakeSignals signals_;
};

TEST_F(ServingProcessTest, DevelopmentModePrintsTheBannerAndServesTheAccount) {
  ServingOptions options;
  options.listen_override = "127.0.0.1:0";
  options.banner = &banner_;
  std::unique_ptr<ServingProcess> process = Started(std::move(options));
  ASSERT_NE(process, nullptr);
  EXPECT_TRUE(process->development());
  ASSERT_NE(process->port(), 0);

  EXPECT_THAT(banner_.str(), HasSubstr("DEVELOPMENT MODE"));
  EXPECT_THAT(banner_.str(),
              HasSubstr(absl::StrCat("127.0.0.1:", process->port(), " only")));
  const std::vector<token::JsonValue> listening = log_.Events("listening");
  ASSERT_THAT(listening, SizeIs(1));
  EXPECT_EQ(StringField(listening[0], "address"), "127.0.0.1:0");
  EXPECT_EQ(listening[0].Find("port")->AsInt64(), process->port());
  EXPECT_EQ(listening[0].Find("accounts")->AsInt64(), 1);
  EXPECT_TRUE(listening[0].Find("development")->bool_value());
  EXPECT_FALSE(listening[0].Find("tls")->bool_value());
  EXPECT_FALSE(listening[0].Find("caller_policies")->bool_value());
  EXPECT_EQ(listening[0].Find("metrics_port")->AsInt64(), 0);

  v1::TokenResponse response;
  EXPECT_TRUE(
      Mint(process->port(), config::kDevelopmentAccountSid, &response).ok());

  // SIGHUP has nothing to reload without a config, and says so.
  signals_.Send(SIGHUP);
  signals_.Send(SIGTERM);
  EXPECT_EQ(process->Run(signals_.Source()), ServingProcess::Exit::kClean);
  ASSERT_TRUE(log_.AwaitEvent("reload_skipped"));
}

TEST_F(ServingProcessTest, AConfiguredServerPrintsNoBannerAndLogsNoSecret) {
  ServingOptions options = ConfiguredOptions();
  options.metrics_listen = "127.0.0.1:0";
  std::unique_ptr<ServingProcess> process = Started(std::move(options));
  ASSERT_NE(process, nullptr);
  EXPECT_FALSE(process->development());
  EXPECT_THAT(banner_.str(), IsEmpty());
  const std::vector<token::JsonValue> listening = log_.Events("listening");
  ASSERT_THAT(listening, SizeIs(1));
  EXPECT_FALSE(listening[0].Find("development")->bool_value());
  EXPECT_NE(process->metrics_port(), 0);
  EXPECT_EQ(listening[0].Find("metrics_port")->AsInt64(),
            process->metrics_port());
  EXPECT_TRUE(MintsWith(process->port(), kSecret));

  signals_.Send(SIGINT);
  EXPECT_EQ(process->Run(signals_.Source()), ServingProcess::Exit::kClean);
  const std::vector<token::JsonValue> draining = log_.Events("draining");
  ASSERT_THAT(draining, SizeIs(1));
  EXPECT_EQ(StringField(draining[0], "signal"), "SIGINT");
  EXPECT_THAT(log_.Text(), Not(HasSubstr(kSecret)));
}

TEST_F(ServingProcessTest, SighupReloadsWhileServingAndSigtermDrains) {
  std::unique_ptr<ServingProcess> process = Started(ConfiguredOptions());
  ASSERT_NE(process, nullptr);
  const int port = process->port();
  ServingProcess::Exit exit = ServingProcess::Exit::kReloadStuck;
  std::thread loop([&] { exit = process->Run(signals_.Source()); });
  // A failed assertion leaves early: stop the loop rather than abort.
  absl::Cleanup stop_loop = [&] {
    if (loop.joinable()) {
      signals_.Send(SIGTERM);
      loop.join();
    }
  };

  ASSERT_THAT(testing::WriteFile(secret_file_, kNewSecret), IsOk());
  signals_.Send(SIGHUP);
  ASSERT_TRUE(log_.AwaitEvent("reloaded")) << log_.Text();
  EXPECT_TRUE(MintsWith(port, kNewSecret));

  signals_.Send(SIGTERM);
  loop.join();
  EXPECT_EQ(exit, ServingProcess::Exit::kClean);
  EXPECT_THAT(LifecycleEvents(log_.Lines()),
              ElementsAre("listening", "reloaded", "draining", "stopped"));
  EXPECT_EQ(StringField(log_.Events("draining")[0], "signal"), "SIGTERM");
  // Drained: the port no longer answers.
  v1::TokenResponse response;
  EXPECT_FALSE(Mint(port, kSid, &response).ok());
  EXPECT_THAT(log_.Text(), Not(HasSubstr(kNewSecret)));
}

TEST_F(ServingProcessTest, AChangedSecretFileReloadsWithoutASignal) {
  ASSERT_THAT(
      testing::WriteFile(config_path_,
                         Config("secret_watch_interval { seconds: 1 }\n")),
      IsOk());
  std::unique_ptr<ServingProcess> process = Started(ConfiguredOptions());
  ASSERT_NE(process, nullptr);

  ASSERT_THAT(testing::WriteFile(secret_file_, kNewSecret), IsOk());
  ASSERT_TRUE(log_.AwaitEvent("reloaded")) << log_.Text();
  EXPECT_TRUE(MintsWith(process->port(), kNewSecret));
}

TEST_F(ServingProcessTest, AReloadStuckInAReadNeverHoldsUpShutdown) {
  std::unique_ptr<ServingProcess> process = Started(ConfiguredOptions());
  ASSERT_NE(process, nullptr);
  ServingProcess::Exit exit = ServingProcess::Exit::kClean;
  std::thread loop([&] { exit = process->Run(signals_.Source()); });
  absl::Cleanup stop_loop = [&] {
    if (loop.joinable()) {
      signals_.Send(SIGTERM);
      loop.join();
    }
  };

  // The config a FIFO, as a file on a hung mount would be: the reload
  // blocks reading it for as long as the test holds the writing end open
  // without writing.
  ASSERT_EQ(::unlink(config_path_.c_str()), 0);
  ASSERT_EQ(::mkfifo(config_path_.c_str(), 0600), 0);
  signals_.Send(SIGHUP);
  // Opening the writing end succeeds once the reload has the FIFO open.
  int writer = -1;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (writer < 0 && absl::Now() < deadline) {
    writer = ::open(config_path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (writer < 0) {
      ASSERT_EQ(errno, ENXIO);
      absl::SleepFor(absl::Milliseconds(5));
    }
  }
  ASSERT_GE(writer, 0) << "the reload never opened the config";

  signals_.Send(SIGTERM);
  loop.join();
  EXPECT_EQ(exit, ServingProcess::Exit::kReloadStuck);
  EXPECT_THAT(LifecycleEvents(log_.Lines()),
              ElementsAre("listening", "draining", "stopped"));

  // Unstuck, the reload finishes (and the process can be destroyed).
  const std::string config = Config();
  ASSERT_EQ(::write(writer, config.data(), config.size()),
            static_cast<ssize_t>(config.size()));
  ::close(writer);
  EXPECT_TRUE(log_.AwaitEvent("reloaded")) << log_.Text();
}

TEST_F(ServingProcessTest, CreateRefusesTlsFilesThatDoNotLoad) {
  const std::string certificate = testing::TempPath("server.crt");
  const std::string key = testing::TempPath("server.key");
  ASSERT_THAT(testing::WriteFile(certificate, "not a certificate"), IsOk());
  ASSERT_THAT(testing::WriteFile(key, "not a key"), IsOk());
  ASSERT_THAT(testing::WriteFile(
                  config_path_,
                  Config(absl::StrCat("transport { tls { certificate_file: \"",
                                      certificate, "\" private_key_file: \"",
                                      key, "\" } }\n"))),
              IsOk());
  EXPECT_THAT(ServingProcess::Create(ConfiguredOptions(), log_.logger()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("transport.tls.certificate_file")));
}

TEST_F(ServingProcessTest, CreateRefusesAMetricsAddressItCannotServe) {
  ServingOptions options = ConfiguredOptions();
  options.metrics_listen = "256.256.256.256:1";
  EXPECT_THAT(ServingProcess::Create(std::move(options), log_.logger()),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("cannot serve metrics on 256.256.256.256:1")));
}

TEST_F(ServingProcessTest, CreateRefusesAConfigThatDoesNotLoad) {
  ASSERT_THAT(testing::WriteFile(secret_file_, ""), IsOk());
  EXPECT_THAT(ServingProcess::Create(ConfiguredOptions(), log_.logger()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(kSid)));
}

}  // namespace
}  // namespace captoken::serve
