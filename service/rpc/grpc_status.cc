#include "service/rpc/grpc_status.h"

#include <string>

namespace captoken::rpc {

static_assert(static_cast<int>(absl::StatusCode::kInvalidArgument) ==
                      static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT) &&
                  static_cast<int>(absl::StatusCode::kPermissionDenied) ==
                      static_cast<int>(grpc::StatusCode::PERMISSION_DENIED) &&
                  static_cast<int>(absl::StatusCode::kUnauthenticated) ==
                      static_cast<int>(grpc::StatusCode::UNAUTHENTICATED) &&
                  static_cast<int>(absl::StatusCode::kResourceExhausted) ==
                      static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED) &&
                  static_cast<int>(absl::StatusCode::kUnavailable) ==
                      static_cast<int>(grpc::StatusCode::UNAVAILABLE),
              "absl and gRPC status codes must share their numbering");

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const int code = static_cast<int>(status.code());
  if (code < 0 || code > static_cast<int>(grpc::StatusCode::UNAUTHENTICATED)) {
    return grpc::Status(grpc::StatusCode::UNKNOWN,
                        std::string(status.message()));
  }
  return grpc::Status(static_cast<grpc::StatusCode>(code),
                      std::string(status.message()));
}

}  // namespace captoken::rpc
