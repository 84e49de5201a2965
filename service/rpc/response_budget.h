// File: response_budget.h
// -----------------------------------------------------------------------------
//
// ResponseBudget bounds the memory held by responses that the server has
// built and gRPC has not finished sending. A BatchMint response is about 50
// times its request (12 KB in, 600 KB out), and a client that never reads
// keeps the response, its serialized copy and the call for as long as its
// connection lasts: gRPC's resource quota does not count any of them (in
// gRPC 1.51 it counts read buffers and call arenas, not outgoing messages),
// so without this budget 400 such calls held 500 MB.
//
// Every call is charged what it holds (ChargedReactor, when it finishes)
// and refunded when gRPC is done with it (OnDone: the response was sent, or
// the call was cancelled, e.g. because its connection closed). A call that
// arrives while the budget is full is refused before any work, so the bytes
// held exceed the budget by at most the calls being handled at that moment.
//
// Example:
//
//   ResponseBudget budget(/*max_bytes=*/size_t{128} << 20);
//   if (!budget.HasRoom()) { ... refuse with RESOURCE_EXHAUSTED ... }
//   ... build `response` ...
//   grpc::ServerUnaryReactor* reactor = new ChargedReactor(
//       &budget, ResponseBudget::CostOf(response));
//   reactor->Finish(grpc::Status::OK);
//   return reactor;

#ifndef CAPTOKEN_SERVICE_RPC_RESPONSE_BUDGET_H_
#define CAPTOKEN_SERVICE_RPC_RESPONSE_BUDGET_H_

#include <atomic>
#include <cstddef>

#include "google/protobuf/message_lite.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/byte_buffer.h"

namespace captoken::rpc {

class ResponseBudget {
 public:
  // What a call holds besides its response: gRPC's call state, the request
  // and the reactor. An estimate; the responses dominate.
  static constexpr size_t kCallOverheadBytes = 4 * 1024;

  explicit ResponseBudget(size_t max_bytes) : max_bytes_(max_bytes) {}

  ResponseBudget(const ResponseBudget&) = delete;
  ResponseBudget& operator=(const ResponseBudget&) = delete;

  // CostOf returns what a call with `response` holds until it is sent: the
  // message, its serialized copy in gRPC's buffers, and kCallOverheadBytes.
  static size_t CostOf(const google::protobuf::MessageLite& response) {
    return 2 * response.ByteSizeLong() + kCallOverheadBytes;
  }

  // The same for a response already serialized: the service answers with
  // bytes, and the message they were made from is gone by then.
  static size_t CostOf(const grpc::ByteBuffer& serialized) {
    return serialized.Length() + kCallOverheadBytes;
  }

  // HasRoom reports whether a new call may be served: the bytes held are
  // below the budget.
  bool HasRoom() const {
    return held_.load(std::memory_order_relaxed) < max_bytes_;
  }

  void Charge(size_t bytes) {
    held_.fetch_add(bytes, std::memory_order_relaxed);
  }
  void Refund(size_t bytes) {
    held_.fetch_sub(bytes, std::memory_order_relaxed);
  }

  // held_bytes is what the calls in progress hold now.
  size_t held_bytes() const { return held_.load(std::memory_order_relaxed); }
  size_t max_bytes() const { return max_bytes_; }

 private:
  const size_t max_bytes_;
  std::atomic<size_t> held_{0};
};

// ChargedReactor is a unary reactor that charges `bytes` to `budget` while
// its call lasts and deletes itself when gRPC is done with the call. The
// budget must outlive every call (the server is shut down first).
class ChargedReactor final : public grpc::ServerUnaryReactor {
 public:
  ChargedReactor(ResponseBudget* budget, size_t bytes)
      : budget_(budget), bytes_(bytes) {
    budget_->Charge(bytes_);
  }

  void OnDone() override {
    budget_->Refund(bytes_);
    delete this;
  }

  // OnDone is two instructions and never blocks, so gRPC may run it inline,
  // as it runs its own DefaultReactor's. Without this, gRPC hands every
  // call's OnDone to its executor: a thread wake-up and a context switch
  // per call, which took the server's peak from 85% of the no-op server's
  // to 52% in a quick benchmark run.
  bool InternalInlineable() override { return true; }

 private:
  ResponseBudget* const budget_;
  const size_t bytes_;
};

}  // namespace captoken::rpc

#endif  // CAPTOKEN_SERVICE_RPC_RESPONSE_BUDGET_H_
