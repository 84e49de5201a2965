#include "service/authz/refusal_reason.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "gtest/gtest.h"

namespace captoken::authz {
namespace {

TEST(RefusalReason, TravelsWithTheStatusAndLeavesItsMessageAlone) {
  for (RefusalReason reason : kAllRefusalReasons) {
    const absl::Status status =
        WithRefusalReason(reason, absl::PermissionDeniedError("ttl: too long"));
    EXPECT_EQ(RefusalReasonOf(status), reason) << RefusalReasonLabel(reason);
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(status.message(), "ttl: too long");
    // Not in what a caller or a log would print.
    EXPECT_EQ(status.ToString(absl::StatusToStringMode::kWithNoExtraData),
              "PERMISSION_DENIED: ttl: too long");
  }
}

TEST(RefusalReason, StatusesWithoutOneAreNamedByTheirCode) {
  EXPECT_EQ(RefusalReasonOf(absl::OkStatus()), RefusalReason::kNone);
  EXPECT_EQ(RefusalReasonOf(absl::InvalidArgumentError("ttl: negative")),
            RefusalReason::kInvalidRequest);
  EXPECT_EQ(RefusalReasonOf(absl::UnauthenticatedError("no identity")),
            RefusalReason::kUnauthenticated);
  EXPECT_EQ(RefusalReasonOf(absl::ResourceExhaustedError("slow down")),
            RefusalReason::kRateLimited);
  EXPECT_EQ(RefusalReasonOf(absl::UnavailableError("draining")),
            RefusalReason::kDraining);
  EXPECT_EQ(RefusalReasonOf(absl::InternalError("signing failed")),
            RefusalReason::kOther);
  // A denial nobody tagged is not guessed to be any particular rule.
  EXPECT_EQ(RefusalReasonOf(absl::PermissionDeniedError("no")),
            RefusalReason::kOther);
}

TEST(RefusalReason, OkStaysOkAndAnUnknownPayloadFallsBackToTheCode) {
  EXPECT_TRUE(WithRefusalReason(RefusalReason::kTtl, absl::OkStatus()).ok());
  absl::Status forged = absl::InvalidArgumentError("x");
  forged.SetPayload("type.captoken.dev/captoken.service.RefusalReason",
                    absl::Cord("none"));
  EXPECT_EQ(RefusalReasonOf(forged), RefusalReason::kInvalidRequest);
  forged.SetPayload("type.captoken.dev/captoken.service.RefusalReason",
                    absl::Cord("made_up"));
  EXPECT_EQ(RefusalReasonOf(forged), RefusalReason::kInvalidRequest);
}

TEST(RefusalReason, LabelsAreDistinctSnakeCase) {
  absl::flat_hash_set<std::string> labels;
  for (RefusalReason reason : kAllRefusalReasons) {
    const std::string label(RefusalReasonLabel(reason));
    EXPECT_TRUE(labels.insert(label).second) << label;
    for (char c : label) {
      EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << label;
    }
  }
  EXPECT_EQ(labels.size(), 15u);
  EXPECT_EQ(RefusalReasonLabel(RefusalReason::kTtl), "ttl_denied");
  EXPECT_EQ(RefusalReasonLabel(RefusalReason::kOverloaded), "overloaded");
  EXPECT_EQ(RefusalReasonLabel(RefusalReason::kUnknownCaller),
            "unknown_caller");
}

}  // namespace
}  // namespace captoken::authz
