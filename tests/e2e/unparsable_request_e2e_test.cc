// End-to-end tests of requests protobuf cannot parse: bytes sent to each
// method of the real server through a grpc::GenericStub (the generated
// stubs cannot send them), which must be refused with INVALID_ARGUMENT and a
// fixed message, audited, counted, never echoed, and leave the server's
// output all JSON lines. They used to get UNIMPLEMENTED from gRPC itself,
// with no audit line, no metric and a plain-text line from libprotobuf.

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "captoken/v1/token_service.grpc.pb.h"
#include "client/cpp/token_client.h"
#include "gmock/gmock.h"
#include "google/protobuf/message.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testing/json_lines.h"
#include "tests/testing/server_process.h"
#include "tests/testing/status_matchers.h"

namespace captoken {
namespace {

using ::captoken::testing::IsOk;
using ::captoken::testing::ParseJsonLines;
using ::captoken::testing::ServerOptions;
using ::captoken::testing::ServerProcess;
using ::captoken::testing::StringField;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAccount[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kSecret[] = "unparsable-e2e-secret-5d2b";

// The fixed message of every unparsable request (docs/server.md, Errors).
constexpr char kUnparsable[] =
    "request: not a valid captoken.v1 message (a string field must be valid "
    "UTF-8)";

// Put in a string field, then made invalid UTF-8 by its first two bytes
// (0xC3 then a byte that cannot continue it); the rest must never appear in
// the server's output.
constexpr char kMarker[] = "XXunparsable-marker-7c1e";
constexpr char kEchoed[] = "unparsable-marker-7c1e";

ServerOptions Options() {
  ServerOptions options;
  options.config =
      absl::StrCat("accounts { account_sid: \"", kAccount,
                   "\" auth_token { env: \"UNPARSABLE_E2E_SECRET\" } }\n");
  options.env = {{"UNPARSABLE_E2E_SECRET", kSecret}};
  options.args = {"--metrics_listen=127.0.0.1:0"};
  return options;
}

// `message` (which holds kMarker in a string field) serialized, with the
// marker's first two bytes made an invalid UTF-8 sequence.
std::string WithInvalidUtf8(const google::protobuf::Message& message) {
  std::string bytes = message.SerializeAsString();
  const size_t at = bytes.find(kMarker);
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) bytes.replace(at, 2, "\xC3\x28");
  return bytes;
}

struct Method {
  std::string name;
  // A valid request's type, to check each payload really is unparsable.
  std::unique_ptr<google::protobuf::Message> prototype;
  // The request with invalid UTF-8 in a string field; empty for a method
  // whose request has no string field (GetCallerPolicy).
  std::string invalid_utf8;
};

std::vector<Method> Methods() {
  std::vector<Method> methods;
  {
    auto request = std::make_unique<v1::CapabilityRequest>();
    request->set_account_sid(kMarker);
    methods.push_back({"MintCapabilityToken",
                       std::make_unique<v1::CapabilityRequest>(),
                       WithInvalidUtf8(*request)});
  }
  {
    v1::TaskRouterRequest request;
    request.set_account_sid(kAccount);
    request.set_friendly_name(kMarker);
    methods.push_back({"MintTaskRouterToken",
                       std::make_unique<v1::TaskRouterRequest>(),
                       WithInvalidUtf8(request)});
  }
  {
    v1::AccessTokenRequest request;
    request.set_account_sid(kAccount);
    request.set_identity(kMarker);
    methods.push_back({"MintAccessToken",
                       std::make_unique<v1::AccessTokenRequest>(),
                       WithInvalidUtf8(request)});
  }
  {
    // One good item, then one whose client name is not UTF-8: the whole
    // message is unparsable, not just the item.
    v1::BatchMintRequest request;
    request.add_requests()->mutable_capability()->set_account_sid(kAccount);
    v1::CapabilityRequest* item = request.add_requests()->mutable_capability();
    item->set_account_sid(kAccount);
    item->add_scopes()->mutable_client_incoming()->set_client_name(kMarker);
    methods.push_back({"BatchMint", std::make_unique<v1::BatchMintRequest>(),
                       WithInvalidUtf8(request)});
  }
  {
    v1::VerifyTokenRequest request;
    request.set_token(kMarker);
    methods.push_back({"VerifyToken",
                       std::make_unique<v1::VerifyTokenRequest>(),
                       WithInvalidUtf8(request)});
  }
  methods.push_back(
      {"GetCallerPolicy", std::make_unique<v1::GetCallerPolicyRequest>(), ""});
  return methods;
}

// Bytes no captoken.v1 request parses from.
std::vector<std::string> Garbage() {
  std::mt19937 random(17);
  std::string noise;
  for (int i = 0; i < 64; ++i) {
    noise.push_back(static_cast<char>(random() & 0xFF));
  }
  return {
      // A field tag longer than a varint may be.
      std::string(12, '\xFF'),
      // Field 1 announces 64 bytes; five follow.
      std::string("\x0A\x40short", 7),
      // Field number 0, which no message has.
      std::string("\x00\x01", 2),
      noise,
  };
}

// One unary call of `method` with `request` as its exact bytes.
grpc::Status RawCall(grpc::GenericStub* stub, absl::string_view method,
                     const std::string& request, std::string* response) {
  grpc::Slice slice(request);
  grpc::ByteBuffer request_bytes(&slice, 1);
  grpc::ByteBuffer response_bytes;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  absl::Notification done;
  grpc::Status status;
  stub->UnaryCall(&context, absl::StrCat("/captoken.v1.TokenService/", method),
                  grpc::StubOptions(), &request_bytes, &response_bytes,
                  [&](grpc::Status s) {
                    status = std::move(s);
                    done.Notify();
                  });
  done.WaitForNotification();
  std::vector<grpc::Slice> slices;
  response->clear();
  if (status.ok() && response_bytes.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices) {
      response->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  return status;
}

// The value of the sample `series` (metric name and labels, exactly as
// exposed) in a scrape; -1 if absent.
double Sample(const std::string& scrape, absl::string_view series) {
  for (absl::string_view line : absl::StrSplit(scrape, '\n')) {
    if (absl::StartsWith(line, series) && line.size() > series.size() &&
        line[series.size()] == ' ') {
      double value = -1;
      if (absl::SimpleAtod(line.substr(series.size() + 1), &value)) {
        return value;
      }
    }
  }
  return -1;
}

TEST(UnparsableRequests, AreInvalidArgumentAuditedCountedAndNeverEchoed) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ServerProcess> server,
                       ServerProcess::Start(Options()));
  ASSERT_NE(server->metrics_port(), 0);
  grpc::GenericStub stub(grpc::CreateChannel(
      server->target(), grpc::InsecureChannelCredentials()));

  absl::flat_hash_map<std::string, int> refused;  // by method
  int total = 0;
  for (const Method& method : Methods()) {
    std::vector<std::string> payloads = Garbage();
    if (!method.invalid_utf8.empty()) payloads.push_back(method.invalid_utf8);
    for (size_t i = 0; i < payloads.size(); ++i) {
      SCOPED_TRACE(absl::StrCat(method.name, ", payload ", i));
      // The test's own premise: protobuf cannot parse it.
      std::unique_ptr<google::protobuf::Message> check(method.prototype->New());
      ASSERT_FALSE(check->ParseFromString(payloads[i]));

      std::string response;
      const grpc::Status status =
          RawCall(&stub, method.name, payloads[i], &response);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
      EXPECT_EQ(status.error_message(), kUnparsable);
      EXPECT_TRUE(response.empty());
      ++refused[method.name];
      ++total;
    }
  }

  // The server still answers a well-formed call, through the generated stub.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<client::TokenClient> client,
                       client::TokenClient::Create(server->target()));
  v1::CapabilityRequest good;
  good.set_account_sid(kAccount);
  good.add_scopes()->mutable_client_incoming()->set_client_name("alice");
  ASSERT_OK_AND_ASSIGN(v1::TokenResponse minted,
                       client->MintCapabilityToken(good));
  EXPECT_FALSE(minted.token().empty());

  ASSERT_TRUE(server->WaitForLogEvent("audit", total + 1)) << server->Output();
  const std::string output = server->Output();
  ASSERT_OK_AND_ASSIGN(std::vector<token::JsonValue> lines,
                       ParseJsonLines(output));
  absl::flat_hash_map<std::string, int> audited;
  bool protobuf_named_the_field = false;
  for (const token::JsonValue& line : lines) {
    const std::string event = StringField(line, "event");
    if (event == "audit" &&
        StringField(line, "outcome") == "INVALID_ARGUMENT") {
      const std::string method = StringField(line, "method");
      EXPECT_EQ(StringField(line, "reason"), kUnparsable) << method;
      EXPECT_EQ(StringField(line, "refusal"), "invalid_request") << method;
      EXPECT_THAT(StringField(line, "peer"), HasSubstr("127.0.0.1")) << method;
      EXPECT_EQ(StringField(line, "account"), "") << method;
      ++audited[method];
    }
    // libprotobuf's own line, routed through the JSON log: it names the
    // field, never its bytes.
    if (event == "protobuf_log" && StringField(line, "level") == "error" &&
        absl::StrContains(StringField(line, "message"),
                          "captoken.v1.CapabilityRequest.account_sid")) {
      protobuf_named_the_field = true;
    }
  }
  EXPECT_EQ(audited, refused);
  EXPECT_TRUE(protobuf_named_the_field) << output;
  EXPECT_THAT(output, Not(HasSubstr(kEchoed)));
  EXPECT_THAT(output, Not(HasSubstr("\xC3\x28")));

  absl::StatusOr<std::string> scrape =
      testing::HttpGet(server->metrics_port(), "/metrics");
  ASSERT_THAT(scrape, IsOk());
  for (const auto& [method, count] : refused) {
    EXPECT_EQ(
        Sample(*scrape, absl::StrCat("captoken_rpc_calls_total{code=\"INVALID_"
                                     "ARGUMENT\",method=\"",
                                     method, "\"}")),
        count)
        << method;
  }
  EXPECT_EQ(
      Sample(*scrape, "captoken_refusals_total{reason=\"invalid_request\"}"),
      total);
}

}  // namespace
}  // namespace captoken
