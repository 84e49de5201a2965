// File: sidecar_call.h
// -----------------------------------------------------------------------------
//
// CallAs calls one TokenService method the way a mesh sidecar would deliver
// it: over plaintext loopback, with the caller's identity in the
// x-forwarded-client-cert header (which a server started with
// `mesh_sidecar { trust_forwarded_client_cert: true }` believes). An empty
// identity sends no header: an anonymous caller.
//
// Example:
//
//   v1::TokenResponse response;
//   grpc::Status status =
//       CallAs(server->target(), "spiffe://example.org/ns/web/sa/app",
//              &v1::TokenService::Stub::MintCapabilityToken, request,
//              &response);

#ifndef CAPTOKEN_TESTS_TESTING_SIDECAR_CALL_H_
#define CAPTOKEN_TESTS_TESTING_SIDECAR_CALL_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "captoken/v1/token_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace captoken::testing {

// Calls `method` with `request` as `identity`, with a 5 s deadline. If
// `retry_after_ms` is given, it receives the retry-after-ms trailer ("" if
// none).
template <typename Request, typename Response>
grpc::Status CallAs(const std::string& target, absl::string_view identity,
                    grpc::Status (v1::TokenService::Stub::*method)(
                        grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response,
                    std::string* retry_after_ms = nullptr) {
  auto stub = v1::TokenService::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  if (!identity.empty()) {
    context.AddMetadata("x-forwarded-client-cert",
                        absl::StrCat("Hash=abc;URI=", identity));
  }
  grpc::Status status = ((*stub).*method)(&context, request, response);
  if (retry_after_ms != nullptr) {
    const auto& trailers = context.GetServerTrailingMetadata();
    auto it = trailers.find("retry-after-ms");
    *retry_after_ms = it == trailers.end()
                          ? ""
                          : std::string(it->second.data(), it->second.size());
  }
  return status;
}

}  // namespace captoken::testing

#endif  // CAPTOKEN_TESTS_TESTING_SIDECAR_CALL_H_
