// File: request_json.h
// -----------------------------------------------------------------------------
//
// Reads --request: a captoken.v1.CapabilityRequest in proto3 JSON form
// (inline, @PATH or - for standard input). Unknown fields are refused, so a
// typo cannot silently drop a scope.

#ifndef CAPTOKEN_CLIENT_CLI_REQUEST_JSON_H_
#define CAPTOKEN_CLIENT_CLI_REQUEST_JSON_H_

#include "absl/status/statusor.h"
#include "captoken/v1/capability.pb.h"

namespace captoken::cli {

// ParseCapabilityRequestFlag parses --request.
//
// Fails with INVALID_ARGUMENT if --request is missing or is not a
// CapabilityRequest, NOT_FOUND if its @file cannot be read.
absl::StatusOr<v1::CapabilityRequest> ParseCapabilityRequestFlag();

}  // namespace captoken::cli

#endif  // CAPTOKEN_CLIENT_CLI_REQUEST_JSON_H_
