#include "client/cpp/token_client.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/clock.h"

namespace captoken::client {
namespace {

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

absl::Status CheckOptions(const TokenClientOptions& options) {
  // An infinite deadline would be no deadline: a server that never answers
  // would hold the caller forever.
  if (options.deadline <= absl::ZeroDuration() ||
      options.deadline == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError("deadline: must be positive and finite");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<TokenClient>> TokenClient::Create(
    absl::string_view target, Options options) {
  if (target.empty()) return absl::InvalidArgumentError("target: required");
  if (absl::Status status = CheckOptions(options); !status.ok()) return status;
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      options.credentials != nullptr ? options.credentials
                                     : grpc::InsecureChannelCredentials();
  grpc::ChannelArguments arguments;
  if (!options.service_config_json.empty()) {
    arguments.SetServiceConfigJSON(options.service_config_json);
  }
  return Wrap(
      grpc::CreateCustomChannel(std::string(target), credentials, arguments),
      std::move(options));
}

absl::StatusOr<std::unique_ptr<TokenClient>> TokenClient::Wrap(
    std::shared_ptr<grpc::Channel> channel, Options options) {
  if (channel == nullptr)
    return absl::InvalidArgumentError("channel: required");
  if (absl::Status status = CheckOptions(options); !status.ok()) return status;
  return std::unique_ptr<TokenClient>(
      new TokenClient(std::move(channel), std::move(options)));
}

TokenClient::TokenClient(std::shared_ptr<grpc::Channel> channel,
                         Options options)
    : channel_(std::move(channel)),
      stub_(v1::TokenService::NewStub(channel_)),
      options_(std::move(options)) {}

template <typename Request, typename Response>
absl::StatusOr<Response> TokenClient::Call(
    grpc::Status (v1::TokenService::Stub::*method)(grpc::ClientContext*,
                                                   const Request&, Response*),
    const Request& request) const {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline));
  Response response;
  absl::Status status =
      FromGrpcStatus((stub_.get()->*method)(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::TokenResponse> TokenClient::MintCapabilityToken(
    const v1::CapabilityRequest& request) const {
  return Call(&v1::TokenService::Stub::MintCapabilityToken, request);
}

absl::StatusOr<v1::TokenResponse> TokenClient::MintTaskRouterToken(
    const v1::TaskRouterRequest& request) const {
  return Call(&v1::TokenService::Stub::MintTaskRouterToken, request);
}

absl::StatusOr<v1::TokenResponse> TokenClient::MintAccessToken(
    const v1::AccessTokenRequest& request) const {
  return Call(&v1::TokenService::Stub::MintAccessToken, request);
}

absl::StatusOr<v1::BatchMintResponse> TokenClient::BatchMint(
    const v1::BatchMintRequest& request) const {
  return Call(&v1::TokenService::Stub::BatchMint, request);
}

absl::StatusOr<v1::VerifyTokenResponse> TokenClient::VerifyToken(
    const v1::VerifyTokenRequest& request) const {
  return Call(&v1::TokenService::Stub::VerifyToken, request);
}

absl::StatusOr<v1::GetCallerPolicyResponse> TokenClient::GetCallerPolicy()
    const {
  return Call(&v1::TokenService::Stub::GetCallerPolicy,
              v1::GetCallerPolicyRequest());
}

}  // namespace captoken::client
