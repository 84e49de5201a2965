// File: arena_message_allocator.h
// -----------------------------------------------------------------------------
//
// ArenaMessageAllocator gives each call of a callback-API unary method its
// request and response on one protobuf Arena, freed whole when gRPC is done
// with the call. A BatchMint request parses into hundreds of small objects
// (a message, strings and repeated fields per item) and its response holds
// as many; on the heap each is a malloc and a free, on an arena they are
// carved from a few blocks. Handlers must build into the response in place:
// moving a heap message into an arena message copies it.
//
// TokenService registers its methods raw (request_codec.h says why), so it
// does not hand the allocator to gRPC: BatchMint calls AllocateMessages,
// parses into the request, and calls Release itself once the response is
// serialized. The typed registration below is what the benchmark's no-op
// server uses.
//
// The allocator must outlive the server; it is thread-safe (it holds no
// state).
//
// Example:
//
//   class MyService final : public v1::TokenService::CallbackService {
//    public:
//     MyService() { SetMessageAllocatorFor_BatchMint(&batch_allocator_); }
//    private:
//     ArenaMessageAllocator<v1::BatchMintRequest, v1::BatchMintResponse>
//         batch_allocator_;
//   };

#ifndef CAPTOKEN_SERVICE_RPC_ARENA_MESSAGE_ALLOCATOR_H_
#define CAPTOKEN_SERVICE_RPC_ARENA_MESSAGE_ALLOCATOR_H_

#include <cstddef>

#include "google/protobuf/arena.h"
#include "grpcpp/support/message_allocator.h"

namespace captoken::rpc {

template <typename Request, typename Response>
class ArenaMessageAllocator final
    : public grpc::MessageAllocator<Request, Response> {
 public:
  // The arena's blocks start at kFirstBlockBytes and double up to
  // kMaxBlockBytes: a 100-item BatchMint (about 150 KB of messages) takes
  // a handful of blocks, each below glibc's default mmap threshold.
  static constexpr size_t kFirstBlockBytes = 4 * 1024;
  static constexpr size_t kMaxBlockBytes = 64 * 1024;

  grpc::MessageHolder<Request, Response>* AllocateMessages() override {
    return new Holder();
  }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() : arena_(Options()) {
      this->set_request(
          google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(
          google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }

    // gRPC calls Release once the call is done with both messages.
    void Release() override { delete this; }

   private:
    static google::protobuf::ArenaOptions Options() {
      google::protobuf::ArenaOptions options;
      options.start_block_size = kFirstBlockBytes;
      options.max_block_size = kMaxBlockBytes;
      return options;
    }

    google::protobuf::Arena arena_;
  };
};

}  // namespace captoken::rpc

#endif  // CAPTOKEN_SERVICE_RPC_ARENA_MESSAGE_ALLOCATOR_H_
