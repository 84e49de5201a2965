// File: status_macros.h
// -----------------------------------------------------------------------------
//
// Early-return helpers for absl::Status and absl::StatusOr, which our Abseil
// (20220623) does not ship yet.
//
// Example:
//
//   absl::StatusOr<Token> Mint(const Request& request) {
//     CAPTOKEN_RETURN_IF_ERROR(Validate(request));
//     CAPTOKEN_ASSIGN_OR_RETURN(std::string payload, RenderPayload(request));
//     return Sign(payload);
//   }

#ifndef CAPTOKEN_SERVICE_TOKEN_STATUS_MACROS_H_
#define CAPTOKEN_SERVICE_TOKEN_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// CAPTOKEN_RETURN_IF_ERROR evaluates `expr` (an absl::Status) and returns it
// from the enclosing function unless it is OK.
#define CAPTOKEN_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::absl::Status captoken_status_ = (expr);            \
    if (!captoken_status_.ok()) return captoken_status_; \
  } while (false)

// CAPTOKEN_ASSIGN_OR_RETURN evaluates `rexpr` (an absl::StatusOr<T>), returns
// its status from the enclosing function if it is not OK, and otherwise moves
// its value into `lhs`, which may be a declaration.
#define CAPTOKEN_ASSIGN_OR_RETURN(lhs, rexpr)                            \
  CAPTOKEN_ASSIGN_OR_RETURN_IMPL_(                                       \
      CAPTOKEN_STATUS_MACROS_CONCAT_(captoken_statusor_, __LINE__), lhs, \
      rexpr)

#define CAPTOKEN_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                    \
  if (!statusor.ok()) return std::move(statusor).status();    \
  lhs = *std::move(statusor)

#define CAPTOKEN_STATUS_MACROS_CONCAT_(x, y) \
  CAPTOKEN_STATUS_MACROS_CONCAT2_(x, y)
#define CAPTOKEN_STATUS_MACROS_CONCAT2_(x, y) x##y

#endif  // CAPTOKEN_SERVICE_TOKEN_STATUS_MACROS_H_
