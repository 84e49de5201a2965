// Tests for arena_message_allocator.h: both messages of a call live on one
// arena, are usable, and are freed by Release.

#include "service/rpc/arena_message_allocator.h"

#include <string>

#include "captoken/v1/token_service.pb.h"
#include "gtest/gtest.h"

namespace captoken::rpc {
namespace {

using Allocator =
    ArenaMessageAllocator<v1::BatchMintRequest, v1::BatchMintResponse>;

TEST(ArenaMessageAllocator, PutsRequestAndResponseOnOneArena) {
  Allocator allocator;
  grpc::MessageHolder<v1::BatchMintRequest, v1::BatchMintResponse>* holder =
      allocator.AllocateMessages();
  ASSERT_NE(holder->request(), nullptr);
  ASSERT_NE(holder->response(), nullptr);
  ASSERT_NE(holder->request()->GetArena(), nullptr);
  EXPECT_EQ(holder->request()->GetArena(), holder->response()->GetArena());
  holder->Release();
}

TEST(ArenaMessageAllocator, MessagesParseAndFillLikeHeapOnes) {
  v1::BatchMintRequest sent;
  for (int i = 0; i < 100; ++i) {
    sent.add_requests()->mutable_capability()->set_account_sid(
        "AC00000000000000000000000000000000");
  }
  Allocator allocator;
  auto* holder = allocator.AllocateMessages();
  ASSERT_TRUE(holder->request()->ParseFromString(sent.SerializeAsString()));
  EXPECT_EQ(holder->request()->SerializeAsString(), sent.SerializeAsString());
  for (int i = 0; i < 100; ++i) {
    holder->response()->add_results()->mutable_token()->set_token(
        std::string(400, 'x'));
  }
  EXPECT_EQ(holder->response()->results_size(), 100);
  EXPECT_EQ(holder->response()->results(99).token().token().size(), 400u);
  holder->Release();  // frees it all (the leak checker would say otherwise)
}

TEST(ArenaMessageAllocator, EachCallGetsItsOwnArena) {
  Allocator allocator;
  auto* first = allocator.AllocateMessages();
  auto* second = allocator.AllocateMessages();
  EXPECT_NE(first->request()->GetArena(), second->request()->GetArena());
  first->Release();
  second->Release();
}

}  // namespace
}  // namespace captoken::rpc
