// File: grpc_status.h
// -----------------------------------------------------------------------------
//
// ToGrpcStatus maps an absl::Status to a grpc::Status one to one: the same
// code (the two enums share their numbering, which a static_assert pins) and
// the same message. Messages are already fixed, secret-free phrases.

#ifndef CAPTOKEN_SERVICE_RPC_GRPC_STATUS_H_
#define CAPTOKEN_SERVICE_RPC_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace captoken::rpc {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace captoken::rpc

#endif  // CAPTOKEN_SERVICE_RPC_GRPC_STATUS_H_
