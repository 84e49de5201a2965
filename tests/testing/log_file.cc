#include "tests/testing/log_file.h"

#include <fcntl.h>
#include <unistd.h>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/testing/json_lines.h"
#include "tests/testing/subprocess.h"

namespace captoken::testing {

LogFile::File::File(const std::string& path)
    : fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) {
  EXPECT_GE(fd, 0) << path;
}

LogFile::File::~File() {
  if (fd >= 0) ::close(fd);
}

LogFile::LogFile(observe::LogLevel level)
    : path_(TempPath("log.jsonl")), file_(path_), logger_(level, file_.fd) {}

std::string LogFile::Text() {
  logger_.Flush();
  absl::StatusOr<std::string> text = ReadFile(path_);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

std::vector<token::JsonValue> LogFile::Lines() {
  absl::StatusOr<std::vector<token::JsonValue>> lines = ParseJsonLines(Text());
  EXPECT_TRUE(lines.ok()) << lines.status();
  return lines.ok() ? *std::move(lines) : std::vector<token::JsonValue>();
}

std::vector<token::JsonValue> LogFile::Events(absl::string_view event) {
  std::vector<token::JsonValue> matching;
  for (token::JsonValue& line : Lines()) {
    if (StringField(line, "event") == event) matching.push_back(line);
  }
  return matching;
}

bool LogFile::AwaitEvent(absl::string_view event, size_t count,
                         absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (Events(event).size() < count) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

}  // namespace captoken::testing
