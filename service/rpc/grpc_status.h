// File: grpc_status.h
// -----------------------------------------------------------------------------
//
// ToGrpcStatus maps an absl::Status to a grpc::Status one to one: the same
// code (the two enums share their numbering, which a static_assert pins) and
// the same message. Messages are already fixed, secret-free phrases.
//
// StatusCodeName is absl::StatusCodeToString without building a string: the
// audit log names a code on every line, one line per token.

#ifndef CAPTOKEN_SERVICE_RPC_GRPC_STATUS_H_
#define CAPTOKEN_SERVICE_RPC_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace captoken::rpc {

grpc::Status ToGrpcStatus(const absl::Status& status);

// StatusCodeName returns absl::StatusCodeToString(code) ("OK",
// "INVALID_ARGUMENT"...; "" for a code outside the enum), as a view of a
// constant.
absl::string_view StatusCodeName(absl::StatusCode code);

}  // namespace captoken::rpc

#endif  // CAPTOKEN_SERVICE_RPC_GRPC_STATUS_H_
