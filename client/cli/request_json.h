// File: request_json.h
// -----------------------------------------------------------------------------
//
// Reads --request: a captoken.v1 request message (CapabilityRequest,
// TaskRouterRequest, AccessTokenRequest or BatchMintRequest) in proto3 JSON
// form (inline, @PATH or - for standard input). Unknown fields are refused,
// so a typo cannot silently drop a scope or a grant.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(v1::TaskRouterRequest request,
//                             ParseRequestFlag<v1::TaskRouterRequest>());

#ifndef CAPTOKEN_CLIENT_CLI_REQUEST_JSON_H_
#define CAPTOKEN_CLIENT_CLI_REQUEST_JSON_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace captoken::cli {

// ParseRequestFlagInto parses --request into `request`.
//
// Fails with INVALID_ARGUMENT if --request is missing or is not JSON of
// `request`'s type (the message names the type), NOT_FOUND if its @file
// cannot be read.
absl::Status ParseRequestFlagInto(google::protobuf::Message* request);

// ParseRequestFlag is ParseRequestFlagInto for a request type.
template <typename Request>
absl::StatusOr<Request> ParseRequestFlag() {
  Request request;
  absl::Status status = ParseRequestFlagInto(&request);
  if (!status.ok()) return status;
  return request;
}

}  // namespace captoken::cli

#endif  // CAPTOKEN_CLIENT_CLI_REQUEST_JSON_H_
