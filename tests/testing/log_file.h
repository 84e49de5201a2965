// File: log_file.h
// -----------------------------------------------------------------------------
//
// LogFile is an observe::Logger that writes to a file of the test's, so that
// a unit test can read back the JSON lines the code under test logged (audit
// lines, reloads, start-up) as the server would have written them.
//
// Example:
//
//   LogFile log;
//   ReloadConfig({..., log.logger()});
//   std::vector<token::JsonValue> lines = log.Events("reloaded");
//   EXPECT_THAT(log.Text(), Not(HasSubstr(kSecret)));

#ifndef CAPTOKEN_TESTS_TESTING_LOG_FILE_H_
#define CAPTOKEN_TESTS_TESTING_LOG_FILE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/observe/log.h"
#include "service/token/json_value.h"

namespace captoken::testing {

class LogFile {
 public:
  explicit LogFile(observe::LogLevel level = observe::LogLevel::kInfo);

  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  observe::Logger* logger() { return &logger_; }

  // Text is everything logged so far (the logger is flushed first).
  std::string Text();

  // Lines is every line logged so far, parsed; a line that is not a JSON
  // object fails the test.
  std::vector<token::JsonValue> Lines();

  // Events is the lines whose "event" is `event`.
  std::vector<token::JsonValue> Events(absl::string_view event);

  // AwaitEvent waits until `count` lines of `event` were logged, for code
  // that logs from a thread of its own; false if that did not happen
  // within `timeout` (generous: a bound on a hang, not a measurement).
  bool AwaitEvent(absl::string_view event, size_t count = 1,
                  absl::Duration timeout = absl::Seconds(30));

 private:
  // Closed after the logger has written its last line.
  struct File {
    explicit File(const std::string& path);
    ~File();
    int fd;
  };

  const std::string path_;
  File file_;
  observe::Logger logger_;
};

}  // namespace captoken::testing

#endif  // CAPTOKEN_TESTS_TESTING_LOG_FILE_H_
