// loadgen: a gRPC load generator for captoken.v1.TokenService on the
// callback API. It keeps calls in flight over several channels, checks every
// status, records every latency in a log-linear histogram and prints one
// JSON object. bench/run.py runs it against the real server and against
// bench/noop_server (the baseline: the same gRPC, no work).
//
//   loadgen --target=127.0.0.1:PORT --concurrency=16 --channels=4
//           [--method=MintCapabilityToken | --method=BatchMint
//            --batch_size=100]
//           [--rate=0] [--duration=5s | --requests=N] [--warmup=1s]
//           [--account_sid=AC... | --account_sids_file=PATH]
//
// --account_sids_file names a file of account SIDs, one a line: single
// calls take them in turn (the accounts of a large account table, so that
// a lookup meets the table as a mix of tenants would, not one entry kept
// in cache); bench/measure/scale.py uses it.
//
// --method=BatchMint sends batches of --batch_size copies of the same
// capability request. A call counts as OK only if its status is OK, it
// carries one result per request and every result is OK with a token;
// the output counts tokens (items) as well as calls, and each item's code.
// Rates (--rate), --concurrency, --requests and the latency histogram are
// per call, whatever the method.
//
// Closed loop (--rate=0, for peak throughput): exactly --concurrency calls
// are in flight at all times; each completion starts the next call.
//
// Open loop (--rate=R, for latency at a given load): calls are due at a
// fixed rate R, whatever the server does, with at most --concurrency in
// flight. A call that is due while all are in flight waits for one to finish
// and its latency counts the wait (no coordinated omission). Otherwise its
// latency is measured from when it was sent, which is when it was due
// except for the pacer thread's timer slack (tens of microseconds), which
// is the load generator's, not the server's.
//
// Exit status: 0 if every call succeeded, 1 if any failed (the JSON says
// which codes), 2 on bad flags or if the server cannot be reached.

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/latency_histogram.h"
#include "bench/typical_request.h"
#include "captoken/v1/token_service.grpc.pb.h"
#include "google/protobuf/arena.h"
#include "grpcpp/grpcpp.h"
#include "service/process/command_line.h"

ABSL_FLAG(std::string, target, "", "the server, HOST:PORT (required)");
ABSL_FLAG(std::string, method, "MintCapabilityToken",
          "the RPC to call: MintCapabilityToken or BatchMint");
ABSL_FLAG(int, batch_size, 100,
          "BatchMint: capability requests in each call (the server's "
          "max_batch_requests is 100 by default)");
ABSL_FLAG(int, concurrency, 16,
          "calls in flight: always this many in a closed loop, at most this "
          "many in an open loop");
ABSL_FLAG(int, channels, 4,
          "distinct channels (each its own TCP connection) the calls are "
          "spread over");
ABSL_FLAG(double, rate, 0,
          "open loop: calls due per second; 0 means a closed loop");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(5),
          "how long to measure, after the warm-up");
ABSL_FLAG(int64_t, requests, 0,
          "if positive: make exactly this many calls (closed loop, no "
          "warm-up) instead of running for --duration");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1),
          "load applied before measuring, not recorded");
ABSL_FLAG(absl::Duration, deadline, absl::Seconds(10), "deadline of each call");
ABSL_FLAG(std::string, account_sid, "AC00000000000000000000000000000000",
          "the account to mint for (default: the development account)");
ABSL_FLAG(std::string, account_sids_file, "",
          "MintCapabilityToken: a file of account SIDs, one a line, that "
          "the calls take in turn (instead of --account_sid)");
ABSL_FLAG(bool, allow_errors, false,
          "exit 0 even if some calls fail (the JSON still counts them)");

namespace captoken::bench {
namespace {

constexpr char kUsage[] =
    R"(gRPC load generator for captoken.v1.TokenService (callback API).

  loadgen --target=127.0.0.1:PORT [--concurrency=16] [--channels=4]
          [--method=MintCapabilityToken | --method=BatchMint
           --batch_size=100]
          [--rate=0] [--duration=5s | --requests=N] [--warmup=1s]
          [--account_sid=AC... | --account_sids_file=PATH]

--rate=0 is a closed loop (peak throughput: --concurrency calls always in
flight); --rate=R is an open loop (R calls due per second, at most
--concurrency in flight; a call that waits for a free slot counts the wait).
Every status is checked, and for BatchMint every item's code; the output is
one JSON object with the throughput in calls and in tokens per second,
latency percentiles per call (microseconds) and errors by code. Exit status
1 if any call (or any item) failed.
)";

// The RPCs the generator can drive (the histogram, pacing and checks are
// shared).
enum class Method { kMintCapabilityToken, kBatchMint };

absl::string_view MethodName(Method method) {
  switch (method) {
    case Method::kMintCapabilityToken:
      return "MintCapabilityToken";
    case Method::kBatchMint:
      return "BatchMint";
  }
  return "";
}

// `size` copies of the typical request, as one BatchMint.
v1::BatchMintRequest TypicalBatch(const std::string& account_sid, int size) {
  const v1::CapabilityRequest item = TypicalRequest(account_sid);
  v1::BatchMintRequest batch;
  batch.mutable_requests()->Reserve(size);
  for (int i = 0; i < size; ++i) {
    *batch.add_requests()->mutable_capability() = item;
  }
  return batch;
}

int64_t NowNanos() { return absl::GetCurrentTimeNanos(); }

// The CPU time this process has used, all threads (gRPC's included).
double ClientCpuMicros() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return 1e6 * static_cast<double>(usage.ru_utime.tv_sec +
                                   usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

struct Options {
  std::string target;
  Method method = Method::kMintCapabilityToken;
  int batch_size = 1;  // tokens per call: 1 unless BatchMint
  int concurrency = 16;
  int channels = 4;
  double rate = 0;  // 0: closed loop
  absl::Duration duration;
  int64_t requests = 0;  // > 0: a fixed count instead of a duration
  absl::Duration warmup;
  absl::Duration deadline;
  std::string account_sid;
  // Non-empty: single calls take these in turn instead of `account_sid`.
  std::vector<std::string> account_sids;
};

// The typical request for each of `account_sids`, or for `account_sid`.
std::vector<v1::CapabilityRequest> TypicalRequests(const Options& options) {
  std::vector<v1::CapabilityRequest> requests;
  if (options.account_sids.empty()) {
    requests.push_back(TypicalRequest(options.account_sid));
  }
  for (const std::string& sid : options.account_sids) {
    requests.push_back(TypicalRequest(sid));
  }
  return requests;
}

class Generator {
 public:
  explicit Generator(const Options& options)
      : options_(options),
        requests_(TypicalRequests(options)),
        batch_request_(
            options.method == Method::kBatchMint
                ? TypicalBatch(options.account_sid, options.batch_size)
                : v1::BatchMintRequest()),
        slots_(static_cast<size_t>(options.concurrency)) {
    for (int i = 0; i < options.channels; ++i) {
      grpc::ChannelArguments args;
      // A distinct argument per channel keeps gRPC from sharing one
      // subchannel (one TCP connection) between them.
      args.SetInt("captoken.loadgen.channel", i);
      channels_.push_back(grpc::CreateCustomChannel(
          options.target, grpc::InsecureChannelCredentials(), args));
      stubs_.push_back(v1::TokenService::NewStub(channels_.back()));
    }
    for (size_t i = 0; i < slots_.size(); ++i) {
      slots_[i].stub = stubs_[i % stubs_.size()].get();
      free_slots_.push_back(static_cast<int>(i));
    }
  }

  // Connect waits until every channel is connected.
  bool Connect(absl::Duration timeout) {
    const auto deadline = absl::ToChronoTime(absl::Now() + timeout);
    for (const auto& channel : channels_) {
      if (!channel->WaitForConnected(deadline)) return false;
    }
    return true;
  }

  // Run applies the load and returns when every call has finished.
  void Run() {
    const int64_t start = NowNanos();
    if (options_.requests > 0) {
      measure_start_ns_ = start;
      measure_end_ns_ = INT64_MAX;
      stop_ns_ = INT64_MAX;
      remaining_.store(options_.requests);
    } else {
      measure_start_ns_ = start + absl::ToInt64Nanoseconds(options_.warmup);
      measure_end_ns_ =
          measure_start_ns_ + absl::ToInt64Nanoseconds(options_.duration);
      stop_ns_ = measure_end_ns_;
      remaining_.store(INT64_MAX);
    }
    if (options_.rate > 0) {
      RunOpenLoop(start);
    } else {
      {
        absl::MutexLock lock(&mutex_);
        free_slots_.clear();
      }
      for (size_t i = 0; i < slots_.size(); ++i) {
        if (!TakeRequest()) break;
        in_flight_.fetch_add(1);
        Start(static_cast<int>(i), NowNanos());
      }
    }
    absl::MutexLock lock(&mutex_);
    mutex_.Await(absl::Condition(
        +[](std::atomic<int>* n) { return n->load() == 0; }, &in_flight_));
    finish_ns_ = NowNanos();
    if (options_.requests > 0) measure_end_ns_ = finish_ns_;
  }

  // Report prints the result as one JSON object; returns the failed calls.
  int64_t Report() const {
    const double window_s =
        static_cast<double>(std::min(measure_end_ns_, finish_ns_) -
                            measure_start_ns_) /
        1e9;
    const int64_t ok = ok_.load();
    int64_t failed = 0;
    std::string codes;
    for (size_t code = 0; code < errors_.size(); ++code) {
      const int64_t n = errors_[code].load();
      if (n == 0) continue;
      failed += n;
      absl::StrAppend(&codes, codes.empty() ? "" : ",", "\"", code, "\":", n);
    }
    int64_t items_failed = 0;
    std::string item_codes;
    for (size_t code = 0; code < item_errors_.size(); ++code) {
      const int64_t n = item_errors_[code].load();
      if (n == 0) continue;
      items_failed += n;
      absl::StrAppend(&item_codes, item_codes.empty() ? "" : ",", "\"", code,
                      "\":", n);
    }
    const int64_t recorded = histogram_.count();
    const double per_s = window_s > 0 ? 1 / window_s : 0.0;
    std::cout << absl::StrFormat(
        "{\"method\":\"%s\",\"target\":\"%s\",\"mode\":\"%s\","
        "\"concurrency\":%d,\"channels\":%d,\"batch_size\":%d,"
        "\"target_rate\":%.1f,"
        "\"window_s\":%.3f,\"calls\":%d,\"ok\":%d,\"failed\":%d,"
        "\"errors_by_code\":{%s},\"tokens\":%d,\"items_failed\":%d,"
        "\"item_errors_by_code\":{%s},\"throughput\":%.1f,"
        "\"tokens_throughput\":%.1f,\"waited_for_slot\":%d,"
        "\"client_cpu_us\":%.2f,"
        "\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,"
        "\"p999\":%.1f,\"max\":%.1f,\"mean\":%.1f}}\n",
        MethodName(options_.method), options_.target,
        options_.rate > 0 ? "open" : "closed", options_.concurrency,
        options_.channels, options_.batch_size, options_.rate, window_s,
        ok + failed, ok, failed, codes, tokens_.load(), items_failed,
        item_codes, static_cast<double>(recorded) * per_s,
        static_cast<double>(tokens_in_window_.load()) * per_s, waited_.load(),
        ClientCpuMicros() / std::max<double>(1, ok + failed),
        histogram_.Percentile(0.50) / 1e3, histogram_.Percentile(0.90) / 1e3,
        histogram_.Percentile(0.99) / 1e3, histogram_.Percentile(0.999) / 1e3,
        histogram_.max() / 1e3, histogram_.mean() / 1e3);
    return failed;
  }

 private:
  struct Slot {
    v1::TokenService::Stub* stub = nullptr;
    std::unique_ptr<grpc::ClientContext> context;
    v1::TokenResponse response;
    // BatchMint: each response is parsed onto the slot's arena, reset for
    // every call, as a client that cares about its CPU would do: a
    // 100-result response is hundreds of small objects, and on the heap
    // their mallocs and frees were most of this process's CPU per token.
    std::unique_ptr<google::protobuf::Arena> arena;
    v1::BatchMintResponse* batch_response = nullptr;
    int64_t start_ns = 0;
  };

  // TakeRequest claims one call from the budget; false once it is spent.
  bool TakeRequest() {
    if (NowNanos() >= stop_ns_) return false;
    return remaining_.fetch_sub(1, std::memory_order_relaxed) > 0;
  }

  // Start sends a call on slot `index`; its latency runs from `start_ns`.
  void Start(int index, int64_t start_ns) {
    Slot& slot = slots_[static_cast<size_t>(index)];
    // A fresh context per call, made here: gRPC allows it from the previous
    // call's callback (its own callback benchmark client does the same).
    slot.context = std::make_unique<grpc::ClientContext>();
    slot.context->set_deadline(
        absl::ToChronoTime(absl::Now() + options_.deadline));
    slot.start_ns = start_ns;
    switch (options_.method) {
      case Method::kMintCapabilityToken:
        slot.response.Clear();
        slot.stub->async()->MintCapabilityToken(
            slot.context.get(),
            &requests_[next_request_.fetch_add(1, std::memory_order_relaxed) %
                       requests_.size()],
            &slot.response,
            [this, index](grpc::Status status) { Done(index, status); });
        break;
      case Method::kBatchMint:
        if (slot.arena == nullptr) {
          google::protobuf::ArenaOptions arena_options;
          arena_options.start_block_size = 64 * 1024;
          arena_options.max_block_size = 64 * 1024;
          slot.arena = std::make_unique<google::protobuf::Arena>(arena_options);
        } else {
          slot.arena->Reset();
        }
        slot.batch_response =
            google::protobuf::Arena::CreateMessage<v1::BatchMintResponse>(
                slot.arena.get());
        slot.stub->async()->BatchMint(
            slot.context.get(), &batch_request_, slot.batch_response,
            [this, index](grpc::Status status) { Done(index, status); });
        break;
    }
  }

  // CountTokens checks the response of an OK call on `slot`; returns its
  // tokens, or -1 if any item (or the token of a single call) is missing or
  // failed. Each failed item is counted by its code.
  int64_t CountTokens(const Slot& slot) {
    if (options_.method == Method::kMintCapabilityToken) {
      return slot.response.token().empty() ? -1 : 1;
    }
    const v1::BatchMintResponse& batch = *slot.batch_response;
    int64_t tokens = 0;
    bool all_ok = batch.results_size() == options_.batch_size;
    for (const v1::MintResult& result : batch.results()) {
      if (result.code() == 0 && !result.token().token().empty()) {
        ++tokens;
        continue;
      }
      all_ok = false;
      // An OK code without a token is a failure too.
      const size_t code = result.code() == 0
                              ? static_cast<size_t>(grpc::StatusCode::INTERNAL)
                              : static_cast<size_t>(result.code());
      item_errors_[code % item_errors_.size()].fetch_add(
          1, std::memory_order_relaxed);
      if (!reported_error_.exchange(true)) {
        std::cerr << "loadgen: batch item failed: code " << result.code()
                  << ": " << result.message() << "\n";
      }
    }
    if (batch.results_size() != options_.batch_size &&
        !reported_error_.exchange(true)) {
      std::cerr << "loadgen: batch of " << options_.batch_size << " got "
                << batch.results_size() << " results\n";
    }
    return all_ok ? tokens : -1;
  }

  void Done(int index, const grpc::Status& status) {
    Slot& slot = slots_[static_cast<size_t>(index)];
    const int64_t now = NowNanos();
    if (!status.ok()) {
      errors_[static_cast<size_t>(status.error_code()) % errors_.size()]
          .fetch_add(1, std::memory_order_relaxed);
      // The first failure of each run is worth seeing as text.
      if (!reported_error_.exchange(true)) {
        std::cerr << "loadgen: call failed: code " << status.error_code()
                  << ": " << status.error_message() << "\n";
      }
    } else if (const int64_t tokens = CountTokens(slot); tokens < 0) {
      // An OK status with a missing or failed token is a failed call, under
      // INTERNAL (the items' own codes are counted apart).
      errors_[static_cast<size_t>(grpc::StatusCode::INTERNAL)].fetch_add(1);
    } else {
      ok_.fetch_add(1, std::memory_order_relaxed);
      tokens_.fetch_add(tokens, std::memory_order_relaxed);
      if (now >= measure_start_ns_ && now <= measure_end_ns_) {
        histogram_.Record(now - slot.start_ns);
        tokens_in_window_.fetch_add(tokens, std::memory_order_relaxed);
      }
    }
    if (options_.rate > 0) {
      // Open loop: hand the slot back to the pacer.
      absl::MutexLock lock(&mutex_);
      free_slots_.push_back(index);
      in_flight_.fetch_sub(1);
      return;
    }
    if (TakeRequest()) {
      Start(index, NowNanos());
      return;
    }
    absl::MutexLock lock(&mutex_);
    in_flight_.fetch_sub(1);
  }

  // The pacer: call i is due at start + i / rate.
  void RunOpenLoop(int64_t start) {
    const double interval_ns = 1e9 / options_.rate;
    for (int64_t i = 0;; ++i) {
      const int64_t due =
          start + static_cast<int64_t>(static_cast<double>(i) * interval_ns);
      if (due >= stop_ns_) break;
      int64_t now = NowNanos();
      if (due > now) {
        absl::SleepFor(absl::Nanoseconds(due - now));
        now = NowNanos();
      }
      int index = -1;
      bool waited = false;
      {
        absl::MutexLock lock(&mutex_);
        if (free_slots_.empty()) {
          waited = true;
          mutex_.Await(absl::Condition(
              +[](std::vector<int>* v) { return !v->empty(); }, &free_slots_));
        }
        index = free_slots_.back();
        free_slots_.pop_back();
        in_flight_.fetch_add(1);
      }
      if (waited) {
        if (due >= measure_start_ns_) waited_.fetch_add(1);
        // Queued behind a full window: the wait is part of its latency.
        Start(index, due);
      } else {
        // Sent as soon as it was due; `now` differs from `due` only by the
        // pacer's timer slack.
        Start(index, now);
      }
    }
  }

  const Options options_;
  // The single calls' requests, taken in turn (one unless
  // --account_sids_file).
  const std::vector<v1::CapabilityRequest> requests_;
  std::atomic<uint64_t> next_request_{0};
  const v1::BatchMintRequest batch_request_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<v1::TokenService::Stub>> stubs_;
  std::vector<Slot> slots_;

  int64_t measure_start_ns_ = 0;
  int64_t measure_end_ns_ = 0;
  int64_t stop_ns_ = 0;
  int64_t finish_ns_ = 0;
  std::atomic<int64_t> remaining_{0};

  absl::Mutex mutex_;
  std::vector<int> free_slots_ ABSL_GUARDED_BY(mutex_);
  std::atomic<int> in_flight_{0};

  LatencyHistogram histogram_;
  std::atomic<int64_t> ok_{0};
  // Tokens in the calls counted OK; those that completed in the window.
  std::atomic<int64_t> tokens_{0};
  std::atomic<int64_t> tokens_in_window_{0};
  std::atomic<int64_t> waited_{0};
  std::array<std::atomic<int64_t>, 17> errors_{};
  std::array<std::atomic<int64_t>, 17> item_errors_{};
  std::atomic<bool> reported_error_{false};
};

int Main() {
  Options options;
  options.target = absl::GetFlag(FLAGS_target);
  options.concurrency = absl::GetFlag(FLAGS_concurrency);
  options.channels = absl::GetFlag(FLAGS_channels);
  options.rate = absl::GetFlag(FLAGS_rate);
  options.duration = absl::GetFlag(FLAGS_duration);
  options.requests = absl::GetFlag(FLAGS_requests);
  options.warmup = absl::GetFlag(FLAGS_warmup);
  options.deadline = absl::GetFlag(FLAGS_deadline);
  options.account_sid = absl::GetFlag(FLAGS_account_sid);
  const std::string sids_file = absl::GetFlag(FLAGS_account_sids_file);
  if (!sids_file.empty()) {
    std::ifstream in(sids_file);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) options.account_sids.push_back(line);
    }
    if (!in.eof() || options.account_sids.empty()) {
      std::cerr << "loadgen: --account_sids_file: cannot read account SIDs "
                   "from "
                << sids_file << "\n";
      return 2;
    }
  }
  const std::string method = absl::GetFlag(FLAGS_method);
  if (method == MethodName(Method::kBatchMint)) {
    options.method = Method::kBatchMint;
    options.batch_size = absl::GetFlag(FLAGS_batch_size);
    if (options.batch_size < 1) {
      std::cerr << "loadgen: --batch_size must be at least 1\n";
      return 2;
    }
  } else if (method != MethodName(Method::kMintCapabilityToken)) {
    std::cerr << "loadgen: --method: " << method
              << " is not an RPC this load generator drives "
                 "(MintCapabilityToken or BatchMint)\n";
    return 2;
  }
  if (options.target.empty() || options.concurrency < 1 ||
      options.channels < 1 || options.rate < 0 ||
      options.duration <= absl::ZeroDuration() ||
      options.warmup < absl::ZeroDuration() || options.requests < 0 ||
      (options.requests > 0 && options.rate > 0)) {
    std::cerr << "loadgen: need --target, --concurrency >= 1, --channels >= "
                 "1, --rate >= 0, --duration > 0, --warmup >= 0, and "
                 "--requests only in a closed loop (see --help)\n";
    return 2;
  }
  options.channels = std::min(options.channels, options.concurrency);

  Generator generator(options);
  if (!generator.Connect(absl::Seconds(10))) {
    std::cerr << "loadgen: cannot connect to " << options.target << "\n";
    return 2;
  }
  generator.Run();
  const int64_t failed = generator.Report();
  return failed > 0 && !absl::GetFlag(FLAGS_allow_errors) ? 1 : 0;
}

}  // namespace
}  // namespace captoken::bench

int main(int argc, char** argv) {
  captoken::process::ParseCommandLineOrHelp(argc, argv,
                                            captoken::bench::kUsage);
  return captoken::bench::Main();
}
