#include "service/rpc/request_codec.h"

#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "grpcpp/support/slice.h"

namespace captoken::rpc {

absl::Status ParseRequest(const grpc::ByteBuffer& bytes,
                          google::protobuf::MessageLite* request) {
  bool parsed = false;
  grpc::Slice slice;
  if (bytes.TrySingleSlice(&slice).ok()) {
    // The usual case: a request arrives in one slice, parsed where it lies.
    parsed =
        request->ParseFromArray(slice.begin(), static_cast<int>(slice.size()));
  } else {
    // Several slices (or none, for an empty message): read through gRPC's
    // stream over them, as gRPC's own deserializer does. The reader wants a
    // mutable buffer; the copy shares the slices.
    grpc::ByteBuffer copy(bytes);
    grpc::ProtoBufferReader reader(&copy);
    parsed = reader.status().ok() && request->ParseFromZeroCopyStream(&reader);
  }
  if (!parsed) return absl::InvalidArgumentError(kUnparsableRequest);
  return absl::OkStatus();
}

absl::Status SerializeResponse(const google::protobuf::MessageLite& response,
                               grpc::ByteBuffer* bytes) {
  // gRPC's own serializer for protobuf messages: one inlined slice for a
  // tiny message, else blocks written in place. It aborts the process if
  // the buffer already holds something.
  bytes->Clear();
  bool own_buffer = false;
  const grpc::Status status =
      grpc::SerializationTraits<google::protobuf::MessageLite>::Serialize(
          response, bytes, &own_buffer);
  if (!status.ok()) {
    return absl::InternalError("response: cannot be serialized");
  }
  return absl::OkStatus();
}

}  // namespace captoken::rpc
