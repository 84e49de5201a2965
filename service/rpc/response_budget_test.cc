#include "service/rpc/response_budget.h"

#include "captoken/v1/token_service.pb.h"
#include "gtest/gtest.h"

namespace captoken::rpc {
namespace {

TEST(ResponseBudget, HasRoomUntilTheHeldBytesReachTheBudget) {
  ResponseBudget budget(1000);
  EXPECT_TRUE(budget.HasRoom());
  budget.Charge(999);
  EXPECT_TRUE(budget.HasRoom());
  budget.Charge(1);
  EXPECT_FALSE(budget.HasRoom());
  budget.Refund(1);
  EXPECT_TRUE(budget.HasRoom());
  EXPECT_EQ(budget.held_bytes(), 999u);
}

TEST(ResponseBudget, ACallCostsItsResponseTwiceAndTheOverhead) {
  v1::TokenResponse response;
  response.set_token(std::string(5000, 'a'));
  EXPECT_EQ(ResponseBudget::CostOf(response),
            2 * response.ByteSizeLong() + ResponseBudget::kCallOverheadBytes);
  EXPECT_EQ(ResponseBudget::CostOf(v1::TokenResponse()),
            ResponseBudget::kCallOverheadBytes);
}

TEST(ChargedReactor, ChargesUntilGrpcIsDoneWithTheCall) {
  ResponseBudget budget(1 << 20);
  auto* reactor = new ChargedReactor(&budget, 12345);
  EXPECT_EQ(budget.held_bytes(), 12345u);
  reactor->OnDone();  // Refunds and deletes itself.
  EXPECT_EQ(budget.held_bytes(), 0u);
}

}  // namespace
}  // namespace captoken::rpc
