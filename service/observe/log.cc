#include "service/observe/log.h"

#include <limits.h>
#include <poll.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "service/token/internal/json_writer.h"

namespace captoken::observe {
namespace {

absl::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// Log lines escape strings as twilio-node's JSON does (json_writer.h).
constexpr auto kLogStyle = token::internal::JsonStyle::kJavaScript;

void AppendString(absl::string_view value, std::string* out) {
  token::internal::AppendJsonString(kLogStyle, value, out);
}

// AppendTimestamp appends `time` as a JSON string in RFC 3339 UTC with
// milliseconds: "2023-11-14T22:13:20.007Z". absl::FormatTime runs a
// general formatter through the time-zone library on every call; servers
// log many lines a second, so each thread keeps its last second formatted
// and only appends the milliseconds.
void AppendTimestamp(absl::Time time, std::string* out) {
  if (time == absl::InfiniteFuture() || time == absl::InfinitePast()) {
    AppendString(
        absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone()),
        out);
    return;
  }
  thread_local int64_t cached_second = INT64_MIN;
  thread_local std::string cached;                  // "2023-11-14T22:13:20"
  const int64_t millis = absl::ToUnixMillis(time);  // rounds down
  int64_t second = millis / 1000;
  int64_t milli = millis % 1000;
  if (milli < 0) {
    milli += 1000;
    second -= 1;
  }
  if (second != cached_second) {
    cached =
        absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(second),
                         absl::UTCTimeZone());
    cached_second = second;
  }
  out->push_back('"');
  out->append(cached);
  const char digits[] = {'.',
                         static_cast<char>('0' + milli / 100),
                         static_cast<char>('0' + milli / 10 % 10),
                         static_cast<char>('0' + milli % 10),
                         'Z',
                         '"'};
  out->append(digits, sizeof(digits));
}

// How long the writer thread waits after a write before taking the next
// batch (see WriterLoop).
constexpr absl::Duration kWriterLinger = absl::Milliseconds(1);

// Writes `,"key":` from `out` (the key needs no escape) and returns the end.
char* PutPlainKey(absl::string_view key, char* out) {
  *out++ = ',';
  *out++ = '"';
  std::memcpy(out, key.data(), key.size());
  out += key.size();
  *out++ = '"';
  *out++ = ':';
  return out;
}

}  // namespace

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view name) {
  for (LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning,
                         LogLevel::kError}) {
    if (name == LevelName(level)) return level;
  }
  return absl::InvalidArgumentError(
      "log level must be debug, info, warning or error");
}

LogLine::LogLine(LogLevel level, absl::string_view event, absl::Time time)
    : level_(level) {
  json_.reserve(512);
  json_.append("{\"time\":");
  AppendTimestamp(time, &json_);
  json_.append(",\"level\":");
  AppendString(LevelName(level), &json_);
  json_.append(",\"event\":");
  AppendString(event, &json_);
}

void LogLine::AppendKey(absl::string_view key) {
  json_.push_back(',');
  AppendString(key, &json_);
  json_.push_back(':');
}

void LogLine::AppendField(absl::string_view key, absl::string_view value,
                          bool quoted) {
  // Keys are literals and most values need no escape: such a field is
  // assembled on the stack and appended in one copy. Appending it piece by
  // piece (a comma, quotes, the key, a colon, each scanned for escapes)
  // cost about as much as minting the token the line is about: a dozen
  // fields a line, a line per token.
  char field[128];
  const size_t size = key.size() + value.size() + (quoted ? 6 : 4);
  if (size > sizeof(field) ||
      !token::internal::JsonStringIsVerbatim(kLogStyle, key) ||
      (quoted && !token::internal::JsonStringIsVerbatim(kLogStyle, value))) {
    AppendKey(key);
    if (quoted) {
      AppendString(value, &json_);
    } else {
      json_.append(value.data(), value.size());
    }
    return;
  }
  char* out = PutPlainKey(key, field);
  if (quoted) *out++ = '"';
  std::memcpy(out, value.data(), value.size());
  out += value.size();
  if (quoted) *out++ = '"';
  json_.append(field, static_cast<size_t>(out - field));
}

LogLine& LogLine::Add(absl::string_view key, absl::string_view value) {
  AppendField(key, value, /*quoted=*/true);
  return *this;
}

LogLine& LogLine::Add(absl::string_view key, int64_t value) {
  AppendField(key, absl::AlphaNum(value).Piece(), /*quoted=*/false);
  return *this;
}

LogLine& LogLine::Add(absl::string_view key, bool value) {
  AppendField(key, value ? "true" : "false", /*quoted=*/false);
  return *this;
}

LogLine& LogLine::Add(absl::string_view key,
                      absl::Span<const absl::string_view> values) {
  // As AppendField: plain names (scope kinds, grant kinds) in one copy.
  char field[128];
  size_t size = key.size() + 6;  // ,"key":[]
  bool plain = token::internal::JsonStringIsVerbatim(kLogStyle, key);
  for (const absl::string_view value : values) {
    size += value.size() + 3;  // "value",
    plain = plain && token::internal::JsonStringIsVerbatim(kLogStyle, value);
  }
  if (!plain || size > sizeof(field)) {
    AppendKey(key);
    json_.push_back('[');
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) json_.push_back(',');
      AppendString(values[i], &json_);
    }
    json_.push_back(']');
    return *this;
  }
  char* out = PutPlainKey(key, field);
  *out++ = '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) *out++ = ',';
    *out++ = '"';
    std::memcpy(out, values[i].data(), values[i].size());
    out += values[i].size();
    *out++ = '"';
  }
  *out++ = ']';
  json_.append(field, static_cast<size_t>(out - field));
  return *this;
}

void LogLine::Truncate(size_t size) {
  if (size < json_.size()) json_.resize(size);
}

std::string LogLine::Finish() && {
  json_.append("}\n");
  return std::move(json_);
}

void LogLine::AppendTo(std::string* out) const {
  out->append(json_);
  out->append("}\n");
}

void LogBatch::Add(const LogLine& line) {
  line.AppendTo(&text_);
  ++lines_;
}

Logger::Logger(LogLevel min_level, int fd, size_t max_queued_lines)
    : min_level_(min_level),
      fd_(fd),
      max_queued_lines_(max_queued_lines),
      writer_([this] { WriterLoop(); }) {}

Logger::~Logger() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  writer_.join();
}

bool Logger::Write(LogLine line) {
  if (!Enabled(line.level())) return true;
  return Enqueue(std::move(line).Finish(), 1);
}

bool Logger::Write(LogBatch batch) {
  if (!Enabled(batch.level()) || batch.lines_ == 0) return true;
  return Enqueue(std::move(batch.text_), batch.lines_);
}

bool Logger::WriteOrRefuse(LogBatch batch, absl::Duration wait) {
  if (!Enabled(batch.level()) || batch.lines_ == 0) return true;
  const size_t lines = batch.lines_;
  absl::MutexLock lock(&mutex_);
  auto room = [this, lines]() ABSL_SHARED_LOCKS_REQUIRED(mutex_) {
    return queued_lines_ + lines <= max_queued_lines_ || stopping_;
  };
  // A batch larger than the whole queue can never fit: refuse at once.
  if (lines > max_queued_lines_ ||
      !mutex_.AwaitWithTimeout(absl::Condition(&room), wait) || stopping_) {
    return false;
  }
  queue_.push_back({std::move(batch.text_), lines});
  queued_lines_ += lines;
  queued_total_ += lines;
  return true;
}

bool Logger::Enqueue(std::string text, size_t lines) {
  absl::MutexLock lock(&mutex_);
  if (queued_lines_ + lines > max_queued_lines_) {
    dropped_ += lines;
    return false;
  }
  queue_.push_back({std::move(text), lines});
  queued_lines_ += lines;
  queued_total_ += lines;
  return true;
}

std::string Logger::DropReport(bool now_or_never) {
  const absl::Time now = absl::Now();
  if (dropped_ == dropped_reported_ ||
      (!now_or_never && now - last_drop_report_ < kDropReportInterval)) {
    return "";
  }
  LogLine line(LogLevel::kWarning, "log_lines_dropped", now);
  line.Add("count", static_cast<int64_t>(dropped_ - dropped_reported_))
      .Add("total", static_cast<int64_t>(dropped_));
  dropped_reported_ = dropped_;
  last_drop_report_ = now;
  return std::move(line).Finish();
}

void Logger::Flush() {
  absl::MutexLock lock(&mutex_);
  const uint64_t target = queued_total_;
  auto written = [this, target]() ABSL_SHARED_LOCKS_REQUIRED(mutex_) {
    return written_total_ >= target;
  };
  mutex_.Await(absl::Condition(&written));
}

uint64_t Logger::dropped_lines() const {
  absl::MutexLock lock(&mutex_);
  return dropped_;
}

void Logger::WriterLoop() {
  while (true) {
    std::deque<Entry> batch;
    size_t lines = 0;
    bool stop;
    std::string report;
    {
      absl::MutexLock lock(&mutex_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mutex_) {
        return !queue_.empty() || stopping_;
      };
      mutex_.Await(absl::Condition(&ready));
      batch.swap(queue_);
      lines = queued_lines_;
      queued_lines_ = 0;
      stop = stopping_;
      report = DropReport(/*now_or_never=*/stop);
    }
    // One writev for everything queued, after the report of what was lost
    // before it: the queued texts go out where they lie, never copied into
    // one buffer first (that copy was every audit line's second).
    std::vector<iovec> pieces;
    pieces.reserve(batch.size() + 1);
    pieces.push_back({const_cast<char*>(report.data()), report.size()});
    for (const Entry& entry : batch) {
      pieces.push_back(
          {const_cast<char*>(entry.text.data()), entry.text.size()});
    }
    WriteAll(std::move(pieces));
    {
      absl::MutexLock lock(&mutex_);
      written_total_ += lines;
    }
    if (stop && batch.empty()) return;
    // Linger before looking again, so that lines arriving meanwhile go out
    // in one write. While the writer sleeps here it is not waiting on the
    // mutex, so Write() unlocks without waking anyone: waking this thread
    // for every line cost a futex call and a context switch per request,
    // the largest cost the server added to gRPC's under load
    // (docs/performance.md). Lines are at most this much later; Flush()
    // waits at most this much longer.
    if (!stop) absl::SleepFor(kWriterLinger);
  }
}

void Logger::WriteAll(std::vector<iovec> pieces) {
  size_t next = 0;  // The first piece not yet written in full.
  while (true) {
    while (next < pieces.size() && pieces[next].iov_len == 0) ++next;
    if (next == pieces.size()) return;
    const int count =
        static_cast<int>(std::min<size_t>(pieces.size() - next, IOV_MAX));
    const ssize_t n = ::writev(fd_, &pieces[next], count);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // A non-blocking descriptor (a process manager may share one) that
      // is full: wait for room, as a blocking one would, rather than lose
      // the lines.
      pollfd room = {fd_, POLLOUT, 0};
      while (::poll(&room, 1, -1) < 0 && errno == EINTR) {
      }
      continue;
    }
    if (n <= 0) return;  // Nowhere to write: the log is lost, not the server.
    // Skip what was written; a piece written in part keeps its rest.
    size_t written = static_cast<size_t>(n);
    while (written > 0 && written >= pieces[next].iov_len) {
      written -= pieces[next].iov_len;
      ++next;
    }
    if (written > 0) {
      pieces[next].iov_base =
          static_cast<char*>(pieces[next].iov_base) + written;
      pieces[next].iov_len -= written;
    }
  }
}

}  // namespace captoken::observe
