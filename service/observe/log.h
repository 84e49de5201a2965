// File: log.h
// -----------------------------------------------------------------------------
//
// The server's log: one JSON object per line on standard error, written by a
// background thread so that a request never waits for the terminal or a
// full pipe. Every line has "time", "level" and "event"; the rest are
// fields. Nothing that reaches the log may be a secret or a token: callers
// log account SIDs, scope kinds and fingerprints, never values.
//
// Example:
//
//   Logger logger(LogLevel::kInfo);
//   logger.Write(LogLine(LogLevel::kInfo, "listening")
//                    .Add("address", "127.0.0.1:50051"));
//   // {"time":"2026-11-28T15:00:00.000Z","level":"info","event":"listening",
//   //  "address":"127.0.0.1:50051"}
//
// Many lines that share their first fields (a BatchMint's audit, one line
// per item) are built on one LogLine and queued together:
//
//   LogLine line(LogLevel::kInfo, "audit");
//   line.Add("method", "BatchMint");
//   const size_t shared = line.size();
//   LogBatch batch(LogLevel::kInfo);
//   for (int i = 0; i < n; ++i) {
//     line.Truncate(shared);
//     batch.Add(line.Add("batch_item", i));
//   }
//   logger.Write(std::move(batch));

#ifndef CAPTOKEN_SERVICE_OBSERVE_LOG_H_
#define CAPTOKEN_SERVICE_OBSERVE_LOG_H_

#include <sys/uio.h>

#include <cstdint>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace captoken::observe {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// ParseLogLevel reads "debug", "info", "warning" or "error".
absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view name);

// LogLine builds one line. Fields appear in the order they are added.
class LogLine {
 public:
  LogLine(LogLevel level, absl::string_view event,
          absl::Time time = absl::Now());

  LogLine& Add(absl::string_view key, absl::string_view value);
  LogLine& Add(absl::string_view key, const char* value) {
    return Add(key, absl::string_view(value));
  }
  LogLine& Add(absl::string_view key, int64_t value);
  LogLine& Add(absl::string_view key, bool value);
  LogLine& Add(absl::string_view key,
               absl::Span<const absl::string_view> values);

  LogLevel level() const { return level_; }

  // size is the length of the line so far, for Truncate.
  size_t size() const { return json_.size(); }

  // Truncate cuts the line back to its first `size` bytes, a size() taken
  // earlier: the fields added since are gone, the ones before it stay.
  void Truncate(size_t size);

  // Finish returns the line, with its closing brace and newline.
  std::string Finish() &&;

  // AppendTo appends the finished line to `out` and leaves this one as it
  // was, so that more lines can be built on its fields.
  void AppendTo(std::string* out) const;

 private:
  void AppendKey(absl::string_view key);
  // AppendField appends `,"key":value`, `value` in quotes and escaped if
  // `quoted`, else as it is (a number or a literal).
  void AppendField(absl::string_view key, absl::string_view value, bool quoted);

  LogLevel level_;
  std::string json_;
};

// LogBatch holds lines of one level that a Logger queues at once: one lock
// and one queue entry for all of them.
class LogBatch {
 public:
  explicit LogBatch(LogLevel level) : level_(level) {}

  // Add appends `line`, finished; `line` itself is left as it was. Its level
  // is not consulted: the batch's is.
  void Add(const LogLine& line);

  // Reserve makes room for `bytes` of lines in one allocation. A batch of a
  // hundred audit lines otherwise grows (and is copied) eight times.
  void Reserve(size_t bytes) { text_.reserve(bytes); }

  LogLevel level() const { return level_; }
  // lines is how many lines were added.
  size_t lines() const { return lines_; }

 private:
  friend class Logger;

  LogLevel level_;
  std::string text_;
  size_t lines_ = 0;
};

// Logger writes lines at or above its level to a file descriptor.
class Logger {
 public:
  // Logger starts its writer thread. Lines queue up to `max_queued_lines`;
  // beyond that they are dropped and counted, so logging can never stall
  // the server or exhaust its memory.
  explicit Logger(LogLevel min_level, int fd = 2,
                  size_t max_queued_lines = 100000);
  // ~Logger writes every queued line, then stops the thread.
  ~Logger();

  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  bool Enabled(LogLevel level) const { return level >= min_level_; }

  // Write queues `line` if its level is enabled. Never blocks on I/O.
  // Returns false if the line was dropped (counted) for want of room.
  bool Write(LogLine line);

  // Write queues every line of `batch` if its level is enabled, taking the
  // lock once; if the queue has no room for all of them, they are all
  // dropped (and counted), and it returns false. Never blocks on I/O.
  bool Write(LogBatch batch);

  // WriteOrRefuse queues every line of `batch`, waiting up to `wait` for
  // room in the queue. It returns false, and queues nothing, if there is
  // still no room then: the caller must not act as if the lines were
  // logged (an audit line that cannot be written is a token not issued).
  // Refused lines are not counted as dropped; they were never accepted.
  bool WriteOrRefuse(LogBatch batch, absl::Duration wait);

  // Flush returns once every line queued before the call is written.
  void Flush();

  // dropped_lines counts lines lost to a full queue. The writer also says
  // so in the log, at most every kDropReportInterval and once more when it
  // stops: a {"event":"log_lines_dropped","count":N,"total":T} line.
  uint64_t dropped_lines() const;

  static constexpr absl::Duration kDropReportInterval = absl::Seconds(5);

 private:
  // One queue entry: one line, or a LogBatch's lines.
  struct Entry {
    std::string text;
    size_t lines;
  };

  // Queues `text`, `lines` lines, or drops it if there is no room.
  bool Enqueue(std::string text, size_t lines);
  // The line reporting drops since the last report, if one is due (or, when
  // the logger stops, if any drop is unreported).
  std::string DropReport(bool now_or_never)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void WriterLoop();
  // WriteAll writes `pieces` in order, through as few writev calls as the
  // kernel allows; empty pieces are allowed.
  void WriteAll(std::vector<iovec> pieces);

  const LogLevel min_level_;
  const int fd_;
  const size_t max_queued_lines_;

  mutable absl::Mutex mutex_;
  std::deque<Entry> queue_ ABSL_GUARDED_BY(mutex_);
  // The lines in queue_.
  size_t queued_lines_ ABSL_GUARDED_BY(mutex_) = 0;
  uint64_t queued_total_ ABSL_GUARDED_BY(mutex_) = 0;
  uint64_t written_total_ ABSL_GUARDED_BY(mutex_) = 0;
  uint64_t dropped_ ABSL_GUARDED_BY(mutex_) = 0;
  uint64_t dropped_reported_ ABSL_GUARDED_BY(mutex_) = 0;
  absl::Time last_drop_report_ ABSL_GUARDED_BY(mutex_) = absl::InfinitePast();
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread writer_;
};

}  // namespace captoken::observe

#endif  // CAPTOKEN_SERVICE_OBSERVE_LOG_H_
