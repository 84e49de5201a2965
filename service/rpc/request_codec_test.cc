// Tests for request_codec.h: requests parse from one slice, from several and
// from none; anything protobuf cannot parse (invalid UTF-8 in a string
// field, garbage, no buffer at all) is INVALID_ARGUMENT with the fixed
// message; responses of every size serialize and read back.

#include "service/rpc/request_codec.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/token_service.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/slice.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace captoken::rpc {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::StatusIs;

// `bytes` as gRPC might hand them over: cut into `pieces` slices.
grpc::ByteBuffer Buffer(absl::string_view bytes, size_t pieces = 1) {
  std::vector<grpc::Slice> slices;
  const size_t step = pieces == 0 ? 0 : (bytes.size() + pieces - 1) / pieces;
  for (size_t at = 0; at < bytes.size(); at += step) {
    const absl::string_view piece = bytes.substr(at, step);
    slices.emplace_back(piece.data(), piece.size());
  }
  return grpc::ByteBuffer(slices.data(), slices.size());
}

std::string Contents(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(buffer.Dump(&slices).ok());
  std::string out;
  for (const grpc::Slice& slice : slices) {
    out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return out;
}

v1::CapabilityRequest SampleRequest() {
  v1::CapabilityRequest request;
  request.set_account_sid("AC0123456789abcdef0123456789abcdef");
  request.add_scopes()->mutable_client_incoming()->set_client_name("alice");
  return request;
}

TEST(ParseRequest, ReadsARequestFromOneSliceOrSeveral) {
  const std::string bytes = SampleRequest().SerializeAsString();
  for (size_t pieces : {1, 2, 5}) {
    v1::CapabilityRequest parsed;
    parsed.set_profile(v1::PROFILE_TWILIO_NODE);  // cleared by the parse
    ASSERT_THAT(ParseRequest(Buffer(bytes, pieces), &parsed), IsOk()) << pieces;
    EXPECT_EQ(parsed.SerializeAsString(), bytes) << pieces;
  }
}

TEST(ParseRequest, ReadsAnEmptyMessageFromNoSlice) {
  v1::GetCallerPolicyRequest parsed;
  EXPECT_THAT(ParseRequest(Buffer("", 0), &parsed), IsOk());
}

TEST(ParseRequest, InvalidUtf8IsRefusedWithTheFixedMessage) {
  v1::CapabilityRequest request = SampleRequest();
  request.set_account_sid("XXsecret-looking-41a7");
  std::string bytes = request.SerializeAsString();
  bytes.replace(bytes.find("XX"), 2, "\xC3\x28");
  for (size_t pieces : {1, 3}) {
    v1::CapabilityRequest parsed;
    const absl::Status status = ParseRequest(Buffer(bytes, pieces), &parsed);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                 kUnparsableRequest))
        << pieces;
  }
}

TEST(ParseRequest, GarbageIsRefusedWithTheFixedMessage) {
  for (absl::string_view garbage :
       {absl::string_view("\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF"),
        absl::string_view("\x0A\x40short", 7),
        absl::string_view("\x00\x01", 2)}) {
    for (size_t pieces : {1, 2}) {
      v1::GetCallerPolicyRequest parsed;
      EXPECT_THAT(
          ParseRequest(Buffer(garbage, pieces), &parsed),
          StatusIs(absl::StatusCode::kInvalidArgument, kUnparsableRequest));
    }
  }
}

TEST(ParseRequest, NoBufferIsRefused) {
  v1::GetCallerPolicyRequest parsed;
  EXPECT_THAT(ParseRequest(grpc::ByteBuffer(), &parsed),
              StatusIs(absl::StatusCode::kInvalidArgument, kUnparsableRequest));
}

TEST(SerializeResponse, WritesWhatParsesBackAtEverySize) {
  // Empty, tiny (one inlined slice), and larger than gRPC's 8 KiB blocks.
  for (size_t size : {0, 4, 400, 20000}) {
    v1::TokenResponse response;
    response.set_token(std::string(size, 't'));
    grpc::ByteBuffer bytes = Buffer("stale contents");
    ASSERT_THAT(SerializeResponse(response, &bytes), IsOk()) << size;
    EXPECT_EQ(Contents(bytes), response.SerializeAsString()) << size;
    v1::TokenResponse parsed;
    ASSERT_THAT(ParseRequest(bytes, &parsed), IsOk()) << size;
    EXPECT_EQ(parsed.token().size(), size);
  }
}

}  // namespace
}  // namespace captoken::rpc
