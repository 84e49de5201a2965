// Tests for log.h: each line is one valid JSON object with time, level and
// event first and fields in the order added; the Logger drops lines below
// its level, writes everything on Flush and on destruction, and drops (and
// counts) lines instead of blocking when its queue is full.

#include "service/observe/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/token/json_value.h"
#include "tests/testing/status_matchers.h"

namespace captoken::observe {
namespace {

using ::captoken::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using token::JsonValue;

const absl::Time kTime = absl::FromUnixSeconds(1700000000);  // 22:13:20 UTC

// Finishes `line` and parses it as JSON (without its newline).
absl::StatusOr<JsonValue> Parse(LogLine line) {
  std::string text = std::move(line).Finish();
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "one line only: " << text;
  return token::ParseJson(absl::string_view(text).substr(0, text.size() - 1));
}

// ---- LogLine ---------------------------------------------------------------

TEST(LogLine, IsOneJsonObjectWithTimeLevelAndEventFirst) {
  const std::string text =
      LogLine(LogLevel::kInfo, "listening", kTime).Finish();
  EXPECT_EQ(text,
            "{\"time\":\"2023-11-14T22:13:20.000Z\",\"level\":\"info\","
            "\"event\":\"listening\"}\n");
}

TEST(LogLine, TimeHasMilliseconds) {
  ASSERT_OK_AND_ASSIGN(
      JsonValue json,
      Parse(LogLine(LogLevel::kInfo, "e", kTime + absl::Milliseconds(7))));
  ASSERT_NE(json.Find("time"), nullptr);
  EXPECT_EQ(json.Find("time")->text(), "2023-11-14T22:13:20.007Z");
}

TEST(LogLine, TimeIsRightAcrossSecondsAndBeforeTheEpoch) {
  // Each thread caches its last formatted second: lines in different
  // seconds, in any order, must each show their own.
  const absl::Time times[] = {
      absl::FromUnixMillis(1700000000999), absl::FromUnixMillis(1700000001000),
      absl::FromUnixMillis(1700000000001), absl::FromUnixMillis(-1),
      absl::FromUnixMillis(0)};
  const char* expected[] = {
      "2023-11-14T22:13:20.999Z", "2023-11-14T22:13:21.000Z",
      "2023-11-14T22:13:20.001Z", "1969-12-31T23:59:59.999Z",
      "1970-01-01T00:00:00.000Z"};
  for (size_t i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(JsonValue json,
                         Parse(LogLine(LogLevel::kInfo, "e", times[i])));
    EXPECT_EQ(json.Find("time")->text(), expected[i]) << i;
  }
  ASSERT_OK_AND_ASSIGN(JsonValue json, Parse(LogLine(LogLevel::kInfo, "e",
                                                     absl::InfiniteFuture())));
  EXPECT_EQ(json.Find("time")->text(), "infinite-future");
}

TEST(LogLine, NamesEachLevel) {
  struct Case {
    LogLevel level;
    const char* name;
  };
  for (const Case& c :
       {Case{LogLevel::kDebug, "debug"}, Case{LogLevel::kInfo, "info"},
        Case{LogLevel::kWarning, "warning"}, Case{LogLevel::kError, "error"}}) {
    LogLine line(c.level, "e", kTime);
    EXPECT_EQ(line.level(), c.level);
    ASSERT_OK_AND_ASSIGN(JsonValue json, Parse(std::move(line)));
    ASSERT_NE(json.Find("level"), nullptr);
    EXPECT_EQ(json.Find("level")->text(), c.name);
  }
}

TEST(LogLine, FieldsFollowInTheOrderAdded) {
  const std::vector<absl::string_view> kinds = {"client_incoming",
                                                "event_stream"};
  ASSERT_OK_AND_ASSIGN(
      JsonValue json,
      Parse(std::move(LogLine(LogLevel::kWarning, "minted", kTime)
                          .Add("zeta", "last-letter")
                          .Add("count", int64_t{-42})
                          .Add("ok", true)
                          .Add("failed", false)
                          .Add("kinds", kinds)
                          .Add("alpha", std::string("first-letter")))));
  ASSERT_TRUE(json.is_object());
  EXPECT_THAT(json.member_names(),
              ElementsAre("time", "level", "event", "zeta", "count", "ok",
                          "failed", "kinds", "alpha"));
  EXPECT_EQ(json.Find("event")->text(), "minted");
  EXPECT_EQ(json.Find("zeta")->text(), "last-letter");
  ASSERT_EQ(json.Find("count")->type(), JsonValue::Type::kNumber);
  EXPECT_EQ(json.Find("count")->AsInt64(), -42);
  ASSERT_EQ(json.Find("ok")->type(), JsonValue::Type::kBool);
  EXPECT_TRUE(json.Find("ok")->bool_value());
  ASSERT_EQ(json.Find("failed")->type(), JsonValue::Type::kBool);
  EXPECT_FALSE(json.Find("failed")->bool_value());
  const JsonValue* array = json.Find("kinds");
  ASSERT_EQ(array->type(), JsonValue::Type::kArray);
  ASSERT_EQ(array->elements().size(), 2u);
  EXPECT_EQ(array->elements()[0].text(), "client_incoming");
  EXPECT_EQ(array->elements()[1].text(), "event_stream");
  EXPECT_EQ(json.Find("alpha")->text(), "first-letter");
}

TEST(LogLine, EmptyArrayAndExtremeIntegers) {
  ASSERT_OK_AND_ASSIGN(
      JsonValue json,
      Parse(std::move(LogLine(LogLevel::kInfo, "e", kTime)
                          .Add("none", absl::Span<const absl::string_view>())
                          .Add("max", int64_t{INT64_MAX})
                          .Add("min", int64_t{INT64_MIN}))));
  ASSERT_EQ(json.Find("none")->type(), JsonValue::Type::kArray);
  EXPECT_TRUE(json.Find("none")->elements().empty());
  EXPECT_EQ(json.Find("max")->AsInt64(), INT64_MAX);
  EXPECT_EQ(json.Find("min")->AsInt64(), INT64_MIN);
}

TEST(LogLine, EscapesQuotesBackslashesNewlinesAndControls) {
  const std::string nasty = "say \"hi\"\\ \n\r\t\b\f \x01\x1f\x7f end";
  ASSERT_OK_AND_ASSIGN(
      JsonValue json,
      Parse(std::move(
          LogLine(LogLevel::kInfo, "ev\"ent\n", kTime).Add("k\"\n", nasty))));
  EXPECT_EQ(json.Find("event")->text(), "ev\"ent\n");
  ASSERT_EQ(json.member_names().size(), 4u);
  EXPECT_EQ(json.member_names()[3], "k\"\n");
  EXPECT_EQ(json.member_values()[3].text(), nasty);
}

// Plain fields are assembled in a buffer of their own, the rest escaped as
// they are appended: both ways, at and beyond the buffer's size, must give
// the same JSON.
TEST(LogLine, LongAndEscapedFieldsAndArraysReadBackExactly) {
  for (size_t length : {0, 1, 100, 115, 116, 117, 120, 121, 122, 200}) {
    const std::string plain(length, 'p');
    const std::string escaped = plain + "\"\n\\";
    const std::vector<absl::string_view> plain_values = {plain, "b"};
    const std::vector<absl::string_view> mixed_values = {"a", escaped};
    ASSERT_OK_AND_ASSIGN(JsonValue json,
                         Parse(std::move(LogLine(LogLevel::kInfo, "e", kTime)
                                             .Add("plain", plain)
                                             .Add("escaped", escaped)
                                             .Add("plain_values", plain_values)
                                             .Add("mixed_values", mixed_values)
                                             .Add(plain + "\t", int64_t{7}))));
    EXPECT_EQ(json.Find("plain")->text(), plain) << length;
    EXPECT_EQ(json.Find("escaped")->text(), escaped) << length;
    const JsonValue* values = json.Find("plain_values");
    ASSERT_EQ(values->elements().size(), 2u);
    EXPECT_EQ(values->elements()[0].text(), plain);
    EXPECT_EQ(values->elements()[1].text(), "b");
    values = json.Find("mixed_values");
    ASSERT_EQ(values->elements().size(), 2u);
    EXPECT_EQ(values->elements()[0].text(), "a");
    EXPECT_EQ(values->elements()[1].text(), escaped);
    ASSERT_NE(json.Find(plain + "\t"), nullptr) << length;
    EXPECT_EQ(json.Find(plain + "\t")->AsInt64(), 7);
  }
}

TEST(LogLine, InjectedFieldCannotForgeAMember) {
  // A value that looks like JSON stays one string.
  ASSERT_OK_AND_ASSIGN(
      JsonValue json,
      Parse(std::move(LogLine(LogLevel::kInfo, "e", kTime)
                          .Add("name", "x\",\"level\":\"error"))));
  EXPECT_EQ(json.Find("level")->text(), "info");
  EXPECT_EQ(json.Find("name")->text(), "x\",\"level\":\"error");
  EXPECT_EQ(json.member_names().size(), 4u);
}

TEST(LogLine, KeepsNonAscii) {
  const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";
  ASSERT_OK_AND_ASSIGN(
      JsonValue json,
      Parse(std::move(LogLine(LogLevel::kInfo, "e", kTime).Add("t", text))));
  EXPECT_EQ(json.Find("t")->text(), text);
}

TEST(LogLine, InvalidUtf8StillGivesValidJson) {
  ASSERT_OK_AND_ASSIGN(JsonValue json,
                       Parse(std::move(LogLine(LogLevel::kInfo, "e", kTime)
                                           .Add("bad", "a\xFF\xC3z")
                                           .Add("after", "ok"))));
  EXPECT_EQ(json.Find("after")->text(), "ok");
  const std::string bad = json.Find("bad")->text();
  EXPECT_EQ(bad.front(), 'a');
  EXPECT_EQ(bad.back(), 'z');
  EXPECT_THAT(bad, HasSubstr("\xEF\xBF\xBD"));  // U+FFFD
}

// ---- ParseLogLevel ---------------------------------------------------------

TEST(LogLine, TruncateDropsTheFieldsAddedSince) {
  LogLine line(LogLevel::kInfo, "audit", kTime);
  line.Add("method", "BatchMint");
  const size_t shared = line.size();
  line.Add("batch_item", int64_t{0});
  line.Truncate(shared);
  line.Add("batch_item", int64_t{1});
  line.Truncate(line.size() + 10);  // past the end: nothing changes
  EXPECT_EQ(std::move(line).Finish(),
            "{\"time\":\"2023-11-14T22:13:20.000Z\",\"level\":\"info\","
            "\"event\":\"audit\",\"method\":\"BatchMint\",\"batch_item\":1}"
            "\n");
}

TEST(LogLine, AppendToWritesTheFinishedLineAndKeepsIt) {
  LogLine line(LogLevel::kInfo, "e", kTime);
  line.Add("a", int64_t{1});
  std::string out = "before\n";
  line.AppendTo(&out);
  const std::string finished = LogLine(line).Finish();
  EXPECT_EQ(out, absl::StrCat("before\n", finished));
  line.Add("b", int64_t{2});  // still open
  EXPECT_THAT(std::move(line).Finish(), HasSubstr("\"a\":1,\"b\":2}\n"));
}

TEST(ParseLogLevel, ReadsEachLevel) {
  EXPECT_EQ(ParseLogLevel("debug").value(), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("info").value(), LogLevel::kInfo);
  EXPECT_EQ(ParseLogLevel("warning").value(), LogLevel::kWarning);
  EXPECT_EQ(ParseLogLevel("error").value(), LogLevel::kError);
}

TEST(ParseLogLevel, RefusesAnythingElse) {
  for (absl::string_view name :
       {"", "INFO", "Info", "warn", "fatal", " info", "info ", "infos"}) {
    EXPECT_THAT(ParseLogLevel(name),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("debug, info, warning or error")))
        << name;
  }
}

// ---- Logger --------------------------------------------------------------

// A temporary file the logger writes to, read back by the test.
class LogFile {
 public:
  explicit LogFile(absl::string_view name) {
    const char* dir = std::getenv("TEST_TMPDIR");
    path_ = absl::StrCat(dir != nullptr ? dir : "/tmp", "/log_test_", name);
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    EXPECT_GE(fd_, 0) << path_;
  }
  ~LogFile() {
    if (fd_ >= 0) ::close(fd_);
  }

  int fd() const { return fd_; }

  // The lines written so far, without their newlines.
  std::vector<std::string> Lines() const {
    std::string content;
    char buffer[4096];
    ssize_t n;
    off_t offset = 0;
    while ((n = ::pread(fd_, buffer, sizeof(buffer), offset)) > 0) {
      content.append(buffer, static_cast<size_t>(n));
      offset += n;
    }
    std::vector<std::string> lines = absl::StrSplit(content, '\n');
    EXPECT_EQ(lines.back(), "") << "the log must end with a newline";
    lines.pop_back();
    return lines;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

// The event of a line the logger wrote.
std::string EventOf(const std::string& line) {
  absl::StatusOr<JsonValue> json = token::ParseJson(line);
  EXPECT_TRUE(json.ok()) << json.status() << ": " << line;
  if (!json.ok() || json->Find("event") == nullptr) return "";
  return json->Find("event")->text();
}

std::vector<std::string> EventsOf(const std::vector<std::string>& lines) {
  std::vector<std::string> events;
  for (const std::string& line : lines) events.push_back(EventOf(line));
  return events;
}

TEST(Logger, FlushWritesEveryQueuedLineInOrder) {
  LogFile file("flush");
  Logger logger(LogLevel::kDebug, file.fd());
  for (int i = 0; i < 50; ++i) {
    logger.Write(LogLine(LogLevel::kInfo, absl::StrCat("event", i), kTime)
                     .Add("i", int64_t{i}));
  }
  logger.Flush();
  const std::vector<std::string> lines = file.Lines();
  ASSERT_EQ(lines.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(EventOf(lines[i]), absl::StrCat("event", i));
  }
  EXPECT_EQ(logger.dropped_lines(), 0u);
}

TEST(Logger, WritesTheLineAsLogLineFinishesIt) {
  LogFile file("exact");
  Logger logger(LogLevel::kInfo, file.fd());
  logger.Write(LogLine(LogLevel::kInfo, "listening", kTime)
                   .Add("address", "127.0.0.1:50051"));
  logger.Flush();
  EXPECT_THAT(file.Lines(),
              ElementsAre("{\"time\":\"2023-11-14T22:13:20.000Z\","
                          "\"level\":\"info\",\"event\":\"listening\","
                          "\"address\":\"127.0.0.1:50051\"}"));
}

TEST(Logger, FlushWithNothingQueuedReturns) {
  LogFile file("empty_flush");
  Logger logger(LogLevel::kInfo, file.fd());
  logger.Flush();
  logger.Flush();
  EXPECT_TRUE(file.Lines().empty());
}

TEST(Logger, LinesBelowTheLevelAreDropped) {
  LogFile file("level");
  Logger logger(LogLevel::kWarning, file.fd());
  EXPECT_FALSE(logger.Enabled(LogLevel::kDebug));
  EXPECT_FALSE(logger.Enabled(LogLevel::kInfo));
  EXPECT_TRUE(logger.Enabled(LogLevel::kWarning));
  EXPECT_TRUE(logger.Enabled(LogLevel::kError));
  logger.Write(LogLine(LogLevel::kDebug, "debug", kTime));
  logger.Write(LogLine(LogLevel::kInfo, "info", kTime));
  logger.Write(LogLine(LogLevel::kWarning, "warning", kTime));
  logger.Write(LogLine(LogLevel::kError, "error", kTime));
  logger.Write(LogLine(LogLevel::kInfo, "info2", kTime));
  logger.Flush();
  EXPECT_THAT(EventsOf(file.Lines()), ElementsAre("warning", "error"));
  // Lines below the level are filtered, not lost to a full queue.
  EXPECT_EQ(logger.dropped_lines(), 0u);
}

TEST(Logger, DebugLevelWritesEverything) {
  LogFile file("debug");
  Logger logger(LogLevel::kDebug, file.fd());
  logger.Write(LogLine(LogLevel::kDebug, "d", kTime));
  logger.Write(LogLine(LogLevel::kError, "e", kTime));
  logger.Flush();
  EXPECT_THAT(EventsOf(file.Lines()), ElementsAre("d", "e"));
}

TEST(Logger, DestructorWritesEveryQueuedLine) {
  LogFile file("destructor");
  {
    Logger logger(LogLevel::kInfo, file.fd());
    for (int i = 0; i < 200; ++i) {
      logger.Write(LogLine(LogLevel::kInfo, absl::StrCat("e", i), kTime));
    }
    // No Flush: the destructor must write them all.
  }
  const std::vector<std::string> lines = file.Lines();
  ASSERT_EQ(lines.size(), 200u);
  EXPECT_EQ(EventOf(lines.front()), "e0");
  EXPECT_EQ(EventOf(lines.back()), "e199");
}

TEST(Logger, ManyThreadsWriteWholeLines) {
  constexpr int kThreads = 4;
  constexpr int kLinesPerThread = 500;
  LogFile file("threads");
  {
    Logger logger(LogLevel::kInfo, file.fd());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&logger, t] {
        for (int i = 0; i < kLinesPerThread; ++i) {
          logger.Write(LogLine(LogLevel::kInfo, "e", kTime)
                           .Add("thread", int64_t{t})
                           .Add("i", int64_t{i})
                           .Add("pad", std::string(100, 'p')));
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    logger.Flush();
    EXPECT_EQ(logger.dropped_lines(), 0u);
  }
  const std::vector<std::string> lines = file.Lines();
  ASSERT_EQ(lines.size(), size_t{kThreads * kLinesPerThread});
  // Each line parses on its own, and each thread's lines keep their order.
  std::vector<int64_t> next(kThreads, 0);
  for (const std::string& line : lines) {
    absl::StatusOr<JsonValue> json = token::ParseJson(line);
    ASSERT_TRUE(json.ok()) << json.status() << ": " << line;
    const int64_t t = json->Find("thread")->AsInt64().value();
    ASSERT_GE(t, 0);
    ASSERT_LT(t, kThreads);
    EXPECT_EQ(json->Find("i")->AsInt64().value(), next[t]);
    ++next[t];
  }
}

// A thread that reads `fd` into `*out` until end of file.
std::thread ReadToTheEnd(int fd, std::string* out) {
  return std::thread([fd, out] {
    char buffer[65536];
    while (true) {
      const ssize_t n = ::read(fd, buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      out->append(buffer, static_cast<size_t>(n));
    }
  });
}

// The writer hands everything queued to one writev: more pieces than the
// kernel takes in one call (IOV_MAX), into a non-blocking pipe that takes a
// page at a time, so that calls write part of a piece or find no room at
// all. Every line must arrive whole and in order.
TEST(Logger, ManyPiecesThroughASmallNonBlockingPipeArriveWholeAndInOrder) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  ::fcntl(fds[1], F_SETPIPE_SZ, 4096);  // The smallest: one page.
  ASSERT_EQ(::fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
  std::string received;
  std::thread reader([fd = fds[0], &received] {
    char buffer[1000];  // Small reads: the writer fills the pipe often.
    while (true) {
      const ssize_t n = ::read(fd, buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      received.append(buffer, static_cast<size_t>(n));
    }
  });
  constexpr int kLines = 5000;  // Several times IOV_MAX (1024).
  {
    Logger logger(LogLevel::kInfo, fds[1]);
    for (int i = 0; i < kLines; ++i) {
      if (i % 7 == 0) {
        LogBatch batch(LogLevel::kInfo);
        batch.Add(LogLine(LogLevel::kInfo, "e", kTime).Add("i", int64_t{i}));
        logger.Write(std::move(batch));
      } else {
        logger.Write(
            LogLine(LogLevel::kInfo, "e", kTime)
                .Add("i", int64_t{i})
                .Add("pad", std::string(static_cast<size_t>(i % 300), 'p')));
      }
    }
    logger.Flush();
    EXPECT_EQ(logger.dropped_lines(), 0u);
  }
  ::close(fds[1]);
  reader.join();
  ::close(fds[0]);
  std::vector<std::string> lines = absl::StrSplit(received, '\n');
  ASSERT_EQ(lines.back(), "");
  lines.pop_back();
  ASSERT_EQ(lines.size(), size_t{kLines});
  for (int i = 0; i < kLines; ++i) {
    absl::StatusOr<JsonValue> json = token::ParseJson(lines[i]);
    ASSERT_TRUE(json.ok()) << json.status() << ": " << lines[i];
    EXPECT_EQ(json->Find("i")->AsInt64().value(), i);
  }
}

TEST(Logger, FullQueueDropsAndCountsInsteadOfBlocking) {
  // The logger writes to a pipe that nobody reads until the end. Each line
  // is bigger than the pipe's buffer, so the writer thread cannot finish
  // writing even one line: it holds at most one batch (at most
  // kMaxQueued lines), and the queue holds at most kMaxQueued more. Every
  // other line must be dropped, and Write must return for each.
  constexpr size_t kMaxQueued = 4;
  constexpr int kLines = 100;
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  const int read_fd = fds[0];
  const int write_fd = fds[1];
  const int pipe_bytes = ::fcntl(write_fd, F_GETPIPE_SZ);
  ASSERT_GT(pipe_bytes, 0);
  const std::string padding(2 * static_cast<size_t>(pipe_bytes), 'x');

  std::string received;
  uint64_t dropped = 0;
  std::thread reader;
  {
    Logger logger(LogLevel::kInfo, write_fd, kMaxQueued);
    for (int i = 0; i < kLines; ++i) {
      logger.Write(LogLine(LogLevel::kInfo, absl::StrCat("e", i), kTime)
                       .Add("pad", padding));
    }
    dropped = logger.dropped_lines();
    EXPECT_GE(dropped, uint64_t{kLines - 2 * kMaxQueued});
    EXPECT_LT(dropped, uint64_t{kLines});

    // Drain the pipe so the writer can finish; the destructor waits for it
    // (and writes the last report of the drops).
    reader = ReadToTheEnd(read_fd, &received);
    logger.Flush();
    EXPECT_EQ(logger.dropped_lines(), dropped);  // Flush drops nothing
  }
  ::close(write_fd);  // the logger only wrote to it; EOF for the reader
  reader.join();
  ::close(read_fd);

  // Every line that was not dropped arrived whole, in order; and the loss
  // itself is logged, with its count.
  std::vector<std::string> lines = absl::StrSplit(received, '\n');
  ASSERT_EQ(lines.back(), "");
  lines.pop_back();
  std::vector<std::string> reports;
  for (auto it = lines.begin(); it != lines.end();) {
    if (EventOf(*it) == "log_lines_dropped") {
      reports.push_back(*it);
      it = lines.erase(it);
    } else {
      ++it;
    }
  }
  // Reported as the writer gets to it, the rest when the logger stops.
  ASSERT_FALSE(reports.empty()) << received;
  int64_t reported = 0;
  for (const std::string& report : reports) {
    absl::StatusOr<JsonValue> json = token::ParseJson(report);
    ASSERT_TRUE(json.ok()) << report;
    reported += json->Find("count")->AsInt64().value();
  }
  EXPECT_EQ(reported, static_cast<int64_t>(dropped));
  EXPECT_THAT(reports.back(),
              HasSubstr(absl::StrCat(R"("total":)", dropped, "}")));
  EXPECT_EQ(lines.size() + dropped, size_t{kLines});
  int last = -1;
  for (const std::string& line : lines) {
    const std::string event = EventOf(line);
    ASSERT_EQ(event.front(), 'e');
    const int index = std::atoi(event.c_str() + 1);
    EXPECT_GT(index, last);
    last = index;
  }
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(EventOf(lines.front()), "e0");  // the first line always fits
}

// An audit line must be accepted before its token is returned: with the
// reader stalled and the queue full, WriteOrRefuse waits its bound, then
// refuses (queueing nothing, dropping nothing); once the reader drains the
// pipe, it is accepted, and every accepted line is written.
TEST(Logger, WriteOrRefuseWaitsForRoomAndRefusesWhenThereIsNone) {
  constexpr size_t kMaxQueued = 4;
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  const int read_fd = fds[0];
  const int write_fd = fds[1];
  const int pipe_bytes = ::fcntl(write_fd, F_GETPIPE_SZ);
  ASSERT_GT(pipe_bytes, 0);
  const std::string padding(2 * static_cast<size_t>(pipe_bytes), 'x');
  auto batch_of = [&](absl::string_view event, int lines) {
    LogBatch batch(LogLevel::kInfo);
    for (int i = 0; i < lines; ++i) {
      batch.Add(LogLine(LogLevel::kInfo, event, kTime).Add("pad", padding));
    }
    return batch;
  };

  std::string received;
  {
    Logger logger(LogLevel::kInfo, write_fd, kMaxQueued);
    // The writer takes what is queued and blocks on the pipe; then the
    // queue fills up behind it.
    int accepted = 0;
    while (
        logger.WriteOrRefuse(batch_of("accepted", 1), absl::Milliseconds(50))) {
      ++accepted;
      ASSERT_LE(accepted, static_cast<int>(2 * kMaxQueued + 1));
    }
    EXPECT_GE(accepted, static_cast<int>(kMaxQueued));
    EXPECT_EQ(logger.dropped_lines(), 0u);
    // Larger than the whole queue: refused at once, whatever the wait.
    EXPECT_FALSE(logger.WriteOrRefuse(batch_of("too-big", kMaxQueued + 1),
                                      absl::Hours(1)));

    std::thread reader = ReadToTheEnd(read_fd, &received);
    // With the reader back, a line waits for room and is accepted.
    EXPECT_TRUE(logger.WriteOrRefuse(batch_of("after", 1), absl::Seconds(30)));
    logger.Flush();
    EXPECT_EQ(logger.dropped_lines(), 0u);
    ::close(write_fd);
    reader.join();

    std::vector<std::string> events;
    for (absl::string_view line :
         absl::StrSplit(received, '\n', absl::SkipEmpty())) {
      events.push_back(EventOf(std::string(line)));
    }
    std::vector<std::string> expected(static_cast<size_t>(accepted),
                                      "accepted");
    expected.push_back("after");
    EXPECT_EQ(events, expected);
  }
  ::close(read_fd);
}

TEST(Logger, WritesABatchsLinesInOrderAfterEarlierLines) {
  LogFile file("batch");
  Logger logger(LogLevel::kInfo, file.fd());
  logger.Write(LogLine(LogLevel::kInfo, "first", kTime));
  LogLine line(LogLevel::kInfo, "audit", kTime);
  line.Add("method", "BatchMint");
  const size_t shared = line.size();
  LogBatch batch(LogLevel::kInfo);
  for (int i = 0; i < 3; ++i) {
    line.Truncate(shared);
    batch.Add(line.Add("batch_item", int64_t{i}));
  }
  EXPECT_EQ(batch.lines(), 3u);
  logger.Write(std::move(batch));
  logger.Write(LogLine(LogLevel::kInfo, "last", kTime));
  logger.Flush();
  const std::vector<std::string> lines = file.Lines();
  EXPECT_THAT(EventsOf(lines),
              ElementsAre("first", "audit", "audit", "audit", "last"));
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(lines[static_cast<size_t>(i) + 1],
                HasSubstr(absl::StrCat(
                    "\"method\":\"BatchMint\",\"batch_item\":", i, "}")));
  }
  EXPECT_EQ(logger.dropped_lines(), 0u);
}

TEST(Logger, BatchBelowTheLevelIsDropped) {
  LogFile file("batch_level");
  Logger logger(LogLevel::kWarning, file.fd());
  LogBatch batch(LogLevel::kInfo);
  batch.Add(LogLine(LogLevel::kInfo, "audit", kTime));
  logger.Write(std::move(batch));
  logger.Flush();
  EXPECT_TRUE(file.Lines().empty());
  EXPECT_EQ(logger.dropped_lines(), 0u);  // filtered, not dropped
}

TEST(Logger, BatchThatDoesNotFitIsDroppedWholeAndCounted) {
  LogFile file("batch_full");
  Logger logger(LogLevel::kInfo, file.fd(), /*max_queued_lines=*/2);
  LogBatch batch(LogLevel::kInfo);
  for (int i = 0; i < 3; ++i) batch.Add(LogLine(LogLevel::kInfo, "e", kTime));
  logger.Write(std::move(batch));
  logger.Flush();
  EXPECT_TRUE(file.Lines().empty());
  EXPECT_EQ(logger.dropped_lines(), 3u);
}

TEST(Logger, LinesAfterADropAreQueuedAgainOnceThereIsRoom) {
  // With the writer keeping up (a file), a limit of one line only drops
  // while a line is waiting; everything Written and Flushed one at a time
  // arrives.
  LogFile file("room");
  Logger logger(LogLevel::kInfo, file.fd(), /*max_queued_lines=*/1);
  for (int i = 0; i < 20; ++i) {
    logger.Write(LogLine(LogLevel::kInfo, absl::StrCat("e", i), kTime));
    logger.Flush();
  }
  EXPECT_EQ(logger.dropped_lines(), 0u);
  EXPECT_EQ(file.Lines().size(), 20u);
}

}  // namespace
}  // namespace captoken::observe
