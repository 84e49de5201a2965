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

absl::StatusOr<v1::TokenResponse> TokenClient::MintCapabilityToken(
    const v1::CapabilityRequest& request) const {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline));
  v1::TokenResponse response;
  absl::Status status =
      FromGrpcStatus(stub_->MintCapabilityToken(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::VerifyTokenResponse> TokenClient::VerifyToken(
    const v1::VerifyTokenRequest& request) const {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline));
  v1::VerifyTokenResponse response;
  absl::Status status =
      FromGrpcStatus(stub_->VerifyToken(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::GetCallerPolicyResponse> TokenClient::GetCallerPolicy()
    const {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline));
  v1::GetCallerPolicyResponse response;
  absl::Status status = FromGrpcStatus(stub_->GetCallerPolicy(
      &context, v1::GetCallerPolicyRequest(), &response));
  if (!status.ok()) return status;
  return response;
}

}  // namespace captoken::client
