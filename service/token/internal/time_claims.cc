#include "service/token/internal/time_claims.h"

#include <cstdint>

#include "service/token/verification_failure.h"

namespace captoken::token::internal {
namespace {

// Reads an optional integer claim into `*time` (nullopt when absent), and
// returns nullptr or the problem: a fixed phrase naming the claim, never its
// value. Plain values rather than a StatusOr per claim, because this runs
// for every token verified and the StatusOr copies showed in its profile.
const char* ReadOptionalTime(const JsonMember* claim,
                             const char* not_an_integer,
                             const char* out_of_range,
                             std::optional<absl::Time>* time) {
  if (claim == nullptr) return nullptr;
  if (!claim->integer.has_value()) return not_an_integer;
  if (!IsTimeClaimInRange(*claim->integer)) return out_of_range;
  *time = absl::FromUnixSeconds(*claim->integer);
  return nullptr;
}

}  // namespace

bool IsTimeClaim(absl::string_view name) {
  return name == "exp" || name == "iat" || name == "nbf";
}

bool TimeClaimMembers::Take(const JsonMember& member) {
  if (member.name == "exp") {
    exp = &member;
  } else if (member.name == "iat") {
    iat = &member;
  } else if (member.name == "nbf") {
    nbf = &member;
  } else {
    return false;
  }
  return true;
}

absl::Status ReadTimeClaims(const TimeClaimMembers& members,
                            TimeClaims* times) {
  // The checks in a fixed order, whatever the members' order.
  std::optional<absl::Time> exp;
  const char* problem = ReadOptionalTime(members.exp, "exp is not an integer",
                                         "exp is out of range", &exp);
  if (problem == nullptr && !exp.has_value()) problem = "no exp claim";
  if (problem == nullptr) {
    problem = ReadOptionalTime(members.iat, "iat is not an integer",
                               "iat is out of range", &times->issue_time);
  }
  if (problem == nullptr) {
    problem = ReadOptionalTime(members.nbf, "nbf is not an integer",
                               "nbf is out of range", &times->not_before);
  }
  if (problem != nullptr) {
    return VerificationError(VerificationFailure::kMalformed, problem);
  }
  times->expire_time = *exp;
  return absl::OkStatus();
}

absl::StatusOr<TimeClaims> ReadTimeClaims(const JsonValue& payload) {
  return ReadTimeClaims(payload.member_views());
}

absl::StatusOr<TimeClaims> ReadTimeClaims(
    absl::Span<const JsonMember> payload) {
  TimeClaimMembers members;  // Names are unique: each slot is set once.
  for (const JsonMember& member : payload) members.Take(member);
  TimeClaims times;
  if (absl::Status status = ReadTimeClaims(members, &times); !status.ok()) {
    return status;
  }
  return times;
}

absl::Status CheckTimeClaims(const TimeClaims& claims, absl::Time now,
                             absl::Duration leeway) {
  if (claims.expire_time <= now - leeway) {
    return VerificationError(VerificationFailure::kExpired, "token expired");
  }
  if (claims.not_before.has_value() && *claims.not_before > now + leeway) {
    return VerificationError(VerificationFailure::kNotYetValid,
                             "token not yet valid");
  }
  return absl::OkStatus();
}

}  // namespace captoken::token::internal
