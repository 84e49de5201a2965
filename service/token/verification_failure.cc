#include "service/token/verification_failure.h"

#include <string>

#include "absl/strings/cord.h"

namespace captoken::token {
namespace {

constexpr absl::string_view kPayloadUrl =
    "type.captoken.dev/captoken.token.VerificationFailure";

struct Entry {
  VerificationFailure failure;
  absl::string_view name;
};

constexpr Entry kEntries[] = {
    {VerificationFailure::kNone, "none"},
    {VerificationFailure::kMalformed, "malformed"},
    {VerificationFailure::kBadSignature, "bad_signature"},
    {VerificationFailure::kUnsupportedHeader, "unsupported_header"},
    {VerificationFailure::kExpired, "expired"},
    {VerificationFailure::kNotYetValid, "not_yet_valid"},
    {VerificationFailure::kWrongAccount, "wrong_account"},
    {VerificationFailure::kTooLarge, "too_large"},
};

}  // namespace

absl::Status VerificationError(VerificationFailure failure,
                               absl::string_view message) {
  const bool not_a_token = failure == VerificationFailure::kMalformed ||
                           failure == VerificationFailure::kUnsupportedHeader ||
                           failure == VerificationFailure::kTooLarge;
  absl::Status status(not_a_token ? absl::StatusCode::kInvalidArgument
                                  : absl::StatusCode::kUnauthenticated,
                      message);
  status.SetPayload(kPayloadUrl, absl::Cord(VerificationFailureName(failure)));
  return status;
}

VerificationFailure VerificationFailureOf(const absl::Status& status) {
  if (status.ok()) return VerificationFailure::kNone;
  const auto payload = status.GetPayload(kPayloadUrl);  // absl::optional
  if (payload.has_value()) {
    const std::string name(*payload);
    for (const Entry& entry : kEntries) {
      if (entry.name == name) return entry.failure;
    }
  }
  return VerificationFailure::kMalformed;
}

absl::string_view VerificationFailureName(VerificationFailure failure) {
  for (const Entry& entry : kEntries) {
    if (entry.failure == failure) return entry.name;
  }
  return "malformed";
}

}  // namespace captoken::token
