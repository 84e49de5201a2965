// File: token_client.h
// -----------------------------------------------------------------------------
//
// TokenClient calls a captoken server from C++. It owns one channel and one
// stub for its lifetime (create it once and share it), and puts a deadline
// on every call, so a server that does not answer costs the caller at most
// the deadline. gRPC errors come back as absl::Status with the same code and
// message.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(std::unique_ptr<TokenClient> client,
//                             TokenClient::Create("127.0.0.1:50051"));
//   v1::CapabilityRequest request;
//   request.set_account_sid("AC...");
//   request.add_scopes()->mutable_client_incoming()->set_client_name("alice");
//   absl::StatusOr<v1::TokenResponse> token =
//       client->MintCapabilityToken(request);

#ifndef CAPTOKEN_CLIENT_CPP_TOKEN_CLIENT_H_
#define CAPTOKEN_CLIENT_CPP_TOKEN_CLIENT_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "captoken/v1/token_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace captoken::client {

struct TokenClientOptions {
  // How long each call may take. The server answers in well under a
  // millisecond; the default leaves room for a slow network.
  absl::Duration deadline = absl::Seconds(5);
  // Channel credentials; plaintext (for loopback and mesh sidecars) if null.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // A gRPC service config (JSON), e.g. deploy/grpc-service-config.json:
  // round-robin over every address the target resolves to, and retries on
  // UNAVAILABLE. Empty: gRPC's defaults (pick-first, no retry policy).
  std::string service_config_json;
};

class TokenClient {
 public:
  using Options = TokenClientOptions;

  // Create connects (lazily) to `target`, a gRPC target such as
  // "127.0.0.1:50051" or "dns:///captoken.internal:443".
  //
  // Fails with INVALID_ARGUMENT for an empty target or a deadline that is
  // not positive and finite.
  static absl::StatusOr<std::unique_ptr<TokenClient>> Create(
      absl::string_view target, Options options = {});

  // Wrap uses an existing channel (tests, in-process servers).
  static absl::StatusOr<std::unique_ptr<TokenClient>> Wrap(
      std::shared_ptr<grpc::Channel> channel, Options options = {});

  // MintCapabilityToken asks the server to sign a capability token.
  absl::StatusOr<v1::TokenResponse> MintCapabilityToken(
      const v1::CapabilityRequest& request) const;

  // MintTaskRouterToken asks the server to sign a TaskRouter token.
  absl::StatusOr<v1::TokenResponse> MintTaskRouterToken(
      const v1::TaskRouterRequest& request) const;

  // MintAccessToken asks the server to sign an Access Token.
  absl::StatusOr<v1::TokenResponse> MintAccessToken(
      const v1::AccessTokenRequest& request) const;

  // BatchMint asks the server to sign several tokens of any kinds. An OK
  // result holds one MintResult per request, in order, each with its own
  // status: check every item's code.
  absl::StatusOr<v1::BatchMintResponse> BatchMint(
      const v1::BatchMintRequest& request) const;

  // VerifyToken asks the server to check a token. A token that fails
  // verification is an OK result with `valid` false.
  absl::StatusOr<v1::VerifyTokenResponse> VerifyToken(
      const v1::VerifyTokenRequest& request) const;

  // GetCallerPolicy asks the server who it thinks this client is and what
  // it may do.
  absl::StatusOr<v1::GetCallerPolicyResponse> GetCallerPolicy() const;

 private:
  TokenClient(std::shared_ptr<grpc::Channel> channel, Options options);

  // Call makes one unary call of `method` with the client's deadline.
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(
      grpc::Status (v1::TokenService::Stub::*method)(grpc::ClientContext*,
                                                     const Request&, Response*),
      const Request& request) const;

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::TokenService::Stub> stub_;
  Options options_;
};

}  // namespace captoken::client

#endif  // CAPTOKEN_CLIENT_CPP_TOKEN_CLIENT_H_
