// Tests for log_routing.h: gRPC's and libprotobuf's own log lines come out
// of the Logger as JSON at their level, gRPC's verbosity follows the
// Logger's, protobuf names an invalid UTF-8 field without its bytes, and
// without a route the lines are still JSON, on standard error.

#include "service/observe/log_routing.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "captoken/v1/capability.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/stubs/logging.h"
#include "grpc/support/log.h"
#include "gtest/gtest.h"
#include "service/observe/log.h"
#include "service/token/json_value.h"

namespace captoken::observe {
namespace {

using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using token::JsonValue;

// A temporary file a logger (or standard error) writes to.
class LogFile {
 public:
  explicit LogFile(absl::string_view name) {
    const char* dir = std::getenv("TEST_TMPDIR");
    path_ = absl::StrCat(dir != nullptr ? dir : "/tmp", "/log_routing_", name);
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    EXPECT_GE(fd_, 0) << path_;
  }
  ~LogFile() {
    if (fd_ >= 0) ::close(fd_);
  }

  int fd() const { return fd_; }

  // Every line written so far, each parsed as a JSON object.
  std::vector<JsonValue> Lines() const {
    std::string content;
    char buffer[4096];
    ssize_t n;
    off_t offset = 0;
    while ((n = ::pread(fd_, buffer, sizeof(buffer), offset)) > 0) {
      content.append(buffer, static_cast<size_t>(n));
      offset += n;
    }
    std::vector<JsonValue> lines;
    for (absl::string_view line : absl::StrSplit(content, '\n')) {
      if (line.empty()) continue;
      absl::StatusOr<JsonValue> json = token::ParseJson(line);
      EXPECT_TRUE(json.ok() && json->is_object()) << "not JSON: " << line;
      if (json.ok()) lines.push_back(*std::move(json));
    }
    EXPECT_TRUE(content.empty() || content.back() == '\n');
    return lines;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

std::string Text(const JsonValue& line, absl::string_view name) {
  const JsonValue* value = line.Find(name);
  return value != nullptr && value->is_string() ? value->text() : "<absent>";
}

int64_t Int(const JsonValue& line, absl::string_view name) {
  const JsonValue* value = line.Find(name);
  return value != nullptr ? value->AsInt64().value_or(-1) : -1;
}

TEST(LibraryLogRoute, GrpcLinesAreJsonAtGrpcsLevel) {
  LogFile file("grpc");
  Logger logger(LogLevel::kDebug, file.fd());
  {
    LibraryLogRoute route(&logger);
    gpr_log(GPR_ERROR, "Handshake failed with fatal error %s", "SSL_ERROR_SSL");
    gpr_log(GPR_INFO, "an info line");
    gpr_log(GPR_DEBUG, "a debug line");
    logger.Flush();
  }
  const std::vector<JsonValue> lines = file.Lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(Text(lines[0], "event"), "grpc_log");
  EXPECT_EQ(Text(lines[0], "level"), "error");
  EXPECT_EQ(Text(lines[0], "message"),
            "Handshake failed with fatal error SSL_ERROR_SSL");
  EXPECT_THAT(Text(lines[0], "file"), EndsWith("log_routing_test.cc"));
  EXPECT_GT(Int(lines[0], "line"), 0);
  EXPECT_EQ(Text(lines[1], "level"), "info");
  EXPECT_EQ(Text(lines[2], "level"), "debug");
  // time, level and event first, as on every line of the server's log.
  EXPECT_THAT(lines[0].member_names(),
              ElementsAre("time", "level", "event", "file", "line", "message"));
}

TEST(LibraryLogRoute, GrpcVerbosityFollowsTheLoggersLevel) {
  // gRPC's info lines (its internals, GRPC_TRACE) only at debug.
  struct Case {
    LogLevel level;
    bool debug;
    bool info;
  };
  for (const Case& c :
       {Case{LogLevel::kDebug, true, true}, Case{LogLevel::kInfo, false, false},
        Case{LogLevel::kWarning, false, false},
        Case{LogLevel::kError, false, false}}) {
    LogFile file("verbosity");
    Logger logger(c.level, file.fd());
    LibraryLogRoute route(&logger);
    EXPECT_EQ(gpr_should_log(GPR_LOG_SEVERITY_DEBUG) != 0, c.debug);
    EXPECT_EQ(gpr_should_log(GPR_LOG_SEVERITY_INFO) != 0, c.info);
    EXPECT_NE(gpr_should_log(GPR_LOG_SEVERITY_ERROR), 0);
  }
}

TEST(LibraryLogRoute, ProtobufLinesAreJsonAtProtobufsLevel) {
  LogFile file("protobuf");
  Logger logger(LogLevel::kInfo, file.fd());
  {
    LibraryLogRoute route(&logger);
    GOOGLE_LOG(WARNING) << "a warning ";
    GOOGLE_LOG(ERROR) << "an error\n";
    logger.Flush();
  }
  const std::vector<JsonValue> lines = file.Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Text(lines[0], "event"), "protobuf_log");
  EXPECT_EQ(Text(lines[0], "level"), "warning");
  EXPECT_EQ(Text(lines[0], "message"), "a warning");  // trailing space gone
  EXPECT_THAT(Text(lines[0], "file"), EndsWith("log_routing_test.cc"));
  EXPECT_EQ(Text(lines[1], "level"), "error");
  EXPECT_EQ(Text(lines[1], "message"), "an error");
}

TEST(LibraryLogRoute, InvalidUtf8IsLoggedByFieldNameNeverByContent) {
  v1::CapabilityRequest request;
  request.set_account_sid("XXsecret-looking-bytes-41a7");
  std::string bytes = request.SerializeAsString();
  bytes.replace(bytes.find("XX"), 2, "\xC3\x28");  // not UTF-8

  LogFile file("utf8");
  Logger logger(LogLevel::kInfo, file.fd());
  {
    LibraryLogRoute route(&logger);
    v1::CapabilityRequest parsed;
    EXPECT_FALSE(parsed.ParseFromString(bytes));
    logger.Flush();
  }
  const std::vector<JsonValue> lines = file.Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(Text(lines[0], "event"), "protobuf_log");
  EXPECT_EQ(Text(lines[0], "level"), "error");
  EXPECT_THAT(Text(lines[0], "message"),
              HasSubstr("captoken.v1.CapabilityRequest.account_sid"));
  EXPECT_THAT(Text(lines[0], "message"), Not(HasSubstr("secret-looking")));
}

TEST(LibraryLogRoute, LinesBelowTheLoggersLevelAreDropped) {
  LogFile file("dropped");
  Logger logger(LogLevel::kError, file.fd());
  {
    LibraryLogRoute route(&logger);
    gpr_log(GPR_INFO, "not kept");
    GOOGLE_LOG(WARNING) << "not kept either";
    GOOGLE_LOG(ERROR) << "kept";
    logger.Flush();
  }
  const std::vector<JsonValue> lines = file.Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(Text(lines[0], "message"), "kept");
}

TEST(LibraryLogRoute, ANewerRouteReplacesTheOlder) {
  LogFile first_file("first");
  LogFile second_file("second");
  Logger first(LogLevel::kInfo, first_file.fd());
  Logger second(LogLevel::kInfo, second_file.fd());
  auto first_route = std::make_unique<LibraryLogRoute>(&first);
  {
    LibraryLogRoute second_route(&second);
    // The older route ending does not take the newer one's logger away.
    first_route.reset();
    gpr_log(GPR_ERROR, "to the second");
    second.Flush();
  }
  first.Flush();
  EXPECT_TRUE(first_file.Lines().empty());
  ASSERT_EQ(second_file.Lines().size(), 1u);
}

TEST(LibraryLogRoute, WithoutARouteLinesAreStillJsonOnStandardError) {
  LogFile file("stderr");
  {
    Logger logger(LogLevel::kInfo, file.fd());
    LibraryLogRoute route(&logger);
  }
  // Standard error goes to `file` while gRPC and protobuf log.
  const int saved = ::dup(2);
  ASSERT_GE(saved, 0);
  ASSERT_GE(::dup2(file.fd(), 2), 0);
  gpr_log(GPR_ERROR, "after the route");
  GOOGLE_LOG(ERROR) << "after the route too";
  ::dup2(saved, 2);
  ::close(saved);

  const std::vector<JsonValue> lines = file.Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Text(lines[0], "event"), "grpc_log");
  EXPECT_EQ(Text(lines[0], "message"), "after the route");
  EXPECT_EQ(Text(lines[1], "event"), "protobuf_log");
  EXPECT_EQ(Text(lines[1], "message"), "after the route too");
}

}  // namespace
}  // namespace captoken::observe
