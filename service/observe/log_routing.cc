#include "service/observe/log_routing.h"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/base/const_init.h"
#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/stubs/logging.h"
#include "grpc/support/log.h"

namespace captoken::observe {
namespace {

// The logger the libraries' lines go to. The handlers are process-wide
// function pointers that both libraries call from any thread; the mutex
// keeps a route's destructor from pulling the logger out from under a line
// being written.
ABSL_CONST_INIT absl::Mutex route_mutex(absl::kConstInit);
Logger* routed_logger ABSL_GUARDED_BY(route_mutex) = nullptr;

// Writes `text` to standard error at once: the lines logged while no route
// is active (after the server's logger is gone), still one JSON object each.
void WriteToStandardError(const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(2, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

// Builds a library's line: its level, which library, where, and the message
// (without the trailing space or newline libprotobuf leaves on some).
LogLine LibraryLine(LogLevel level, absl::string_view event, const char* file,
                    int line, absl::string_view message) {
  LogLine json(level, event);
  json.Add("file", file != nullptr ? file : "")
      .Add("line", static_cast<int64_t>(line))
      .Add("message", absl::StripTrailingAsciiWhitespace(message));
  return json;
}

// Sends `line` to the routed logger, or to standard error if there is none.
// With `flush`, the library is about to abort the process, so the line is
// written before this returns (the logger's thread would not get to it).
void Route(LogLine line, bool flush) {
  absl::ReaderMutexLock lock(&route_mutex);
  if (routed_logger == nullptr) {
    WriteToStandardError(std::move(line).Finish());
    return;
  }
  routed_logger->Write(std::move(line));
  if (flush) routed_logger->Flush();
}

LogLevel FromGrpc(gpr_log_severity severity) {
  switch (severity) {
    case GPR_LOG_SEVERITY_DEBUG:
      return LogLevel::kDebug;
    case GPR_LOG_SEVERITY_INFO:
      return LogLevel::kInfo;
    case GPR_LOG_SEVERITY_ERROR:
      return LogLevel::kError;
  }
  return LogLevel::kError;
}

// gRPC's GPR_ASSERT and GPR_UNREACHABLE_CODE log one of these, then abort.
bool GrpcWillAbort(absl::string_view message) {
  return absl::StartsWith(message, "assertion failed") ||
         absl::StartsWith(message, "UNREACHABLE CODE");
}

void GrpcLog(gpr_log_func_args* args) {
  const absl::string_view message =
      args->message != nullptr ? args->message : "";
  Route(LibraryLine(FromGrpc(args->severity), "grpc_log", args->file,
                    args->line, message),
        GrpcWillAbort(message));
}

LogLevel FromProtobuf(google::protobuf::LogLevel level) {
  switch (level) {
    case google::protobuf::LOGLEVEL_INFO:
      return LogLevel::kInfo;
    case google::protobuf::LOGLEVEL_WARNING:
      return LogLevel::kWarning;
    case google::protobuf::LOGLEVEL_ERROR:
    case google::protobuf::LOGLEVEL_FATAL:
      return LogLevel::kError;
  }
  return LogLevel::kError;
}

void ProtobufLog(google::protobuf::LogLevel level, const char* file, int line,
                 const std::string& message) {
  // After a FATAL line libprotobuf aborts (or throws, which the server,
  // built without exceptions in mind, does not catch).
  Route(LibraryLine(FromProtobuf(level), "protobuf_log", file, line, message),
        level == google::protobuf::LOGLEVEL_FATAL);
}

// The least severe gRPC level to let through. gRPC's info lines are its
// internals ("grpc epoll fd: 4", "Synchronous server. Num CQs: 1", and
// whatever GRPC_TRACE turns on, call metadata included), which gRPC itself
// prints only at GRPC_VERBOSITY=INFO: they are for debugging, so they come
// with --log_level=debug only. Errors always come through.
gpr_log_severity GrpcVerbosity(const Logger& logger) {
  return logger.Enabled(LogLevel::kDebug) ? GPR_LOG_SEVERITY_DEBUG
                                          : GPR_LOG_SEVERITY_ERROR;
}

}  // namespace

LibraryLogRoute::LibraryLogRoute(Logger* logger) : logger_(logger) {
  {
    absl::MutexLock lock(&route_mutex);
    routed_logger = logger;
  }
  // Set before gRPC initializes, this also keeps GRPC_VERBOSITY from
  // applying: gRPC reads it only if no verbosity was set.
  gpr_set_log_verbosity(GrpcVerbosity(*logger));
  gpr_set_log_function(&GrpcLog);
  // Not thread-safe in libprotobuf; the server calls it before it starts
  // any thread that parses.
  google::protobuf::SetLogHandler(&ProtobufLog);
}

LibraryLogRoute::~LibraryLogRoute() {
  // The handlers stay: from now on they write to standard error.
  absl::MutexLock lock(&route_mutex);
  if (routed_logger == logger_) routed_logger = nullptr;
}

}  // namespace captoken::observe
