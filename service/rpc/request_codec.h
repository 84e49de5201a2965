// File: request_codec.h
// -----------------------------------------------------------------------------
//
// ParseRequest and SerializeResponse turn the bytes of a call into messages
// and back, for a service whose methods gRPC registers raw (token_service.h).
//
// Why the service parses requests itself: when gRPC 1.51's callback API
// cannot parse a registered method's request (invalid UTF-8 in a proto3
// string field, or bytes that are no protobuf at all), it never calls the
// handler; it answers UNIMPLEMENTED with an empty message
// (CallbackUnaryHandler::RunHandler in grpcpp/impl/codegen/
// server_callback_handlers.h). The call then leaves no audit line and no
// metric, and the caller is told the method does not exist. Parsing in the
// handler lets the service refuse it like any other malformed request.
//
// Both do exactly what gRPC's own SerializationTraits would, so a raw
// method costs what a typed one does.
//
// Example:
//
//   v1::CapabilityRequest request;
//   absl::Status parsed = ParseRequest(*request_bytes, &request);
//   ... if (!parsed.ok()) refuse with `parsed` ...
//   absl::Status serialized = SerializeResponse(response, response_bytes);

#ifndef CAPTOKEN_SERVICE_RPC_REQUEST_CODEC_H_
#define CAPTOKEN_SERVICE_RPC_REQUEST_CODEC_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message_lite.h"
#include "grpcpp/support/byte_buffer.h"

namespace captoken::rpc {

// kUnparsableRequest is the message of every request protobuf cannot parse:
// fixed, since the bytes are the caller's (maybe a secret sent by mistake)
// and protobuf's own error names only the field (it logs that, as a
// "protobuf_log" line).
inline constexpr absl::string_view kUnparsableRequest =
    "request: not a valid captoken.v1 message (a string field must be valid "
    "UTF-8)";

// ParseRequest parses `bytes`, a request as gRPC received it, into
// `request`, which it clears first.
//
// Fails with INVALID_ARGUMENT and kUnparsableRequest if protobuf cannot
// parse the bytes as `request`'s type; `request` is then unspecified.
absl::Status ParseRequest(const grpc::ByteBuffer& bytes,
                          google::protobuf::MessageLite* request);

// SerializeResponse replaces `bytes` with `response` serialized.
//
// Fails with INTERNAL if protobuf cannot serialize it (over 2 GiB).
absl::Status SerializeResponse(const google::protobuf::MessageLite& response,
                               grpc::ByteBuffer* bytes);

}  // namespace captoken::rpc

#endif  // CAPTOKEN_SERVICE_RPC_REQUEST_CODEC_H_
