#include "client/cli/remote_commands.h"

#include <iostream>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "client/cli/cli_flags.h"
#include "client/cli/cli_io.h"
#include "client/cli/output.h"
#include "client/cli/request_json.h"
#include "client/cpp/token_client.h"

namespace captoken::cli {
namespace {

absl::StatusOr<std::unique_ptr<client::TokenClient>> ConnectFromFlags() {
  const std::string server = absl::GetFlag(FLAGS_server);
  if (server.empty()) {
    return absl::InvalidArgumentError("--server=HOST:PORT is required");
  }
  return client::TokenClient::Create(
      server, {.deadline = absl::GetFlag(FLAGS_deadline)});
}

}  // namespace

int RunMintCapability(const std::vector<std::string>& args) {
  if (!args.empty()) return Fail("mint capability takes no arguments");
  absl::StatusOr<v1::CapabilityRequest> request = ParseCapabilityRequestFlag();
  if (!request.ok()) return Fail(request.status());
  absl::StatusOr<std::unique_ptr<client::TokenClient>> client =
      ConnectFromFlags();
  if (!client.ok()) return Fail(client.status());
  absl::StatusOr<v1::TokenResponse> response =
      (*client)->MintCapabilityToken(*request);
  if (!response.ok()) return Fail(response.status());
  std::cout << response->token() << "\n";
  return 0;
}

int RunVerifyRemotely(const std::vector<std::string>& args) {
  if (args.size() != 1) return Fail("verify takes one TOKEN (or - for stdin)");
  absl::StatusOr<std::string> token = ReadArgument(args[0]);
  if (!token.ok()) return Fail(token.status());
  absl::StatusOr<std::unique_ptr<client::TokenClient>> client =
      ConnectFromFlags();
  if (!client.ok()) return Fail(client.status());
  v1::VerifyTokenRequest request;
  request.set_token(*token);
  request.set_account_sid(absl::GetFlag(FLAGS_account_sid));
  absl::StatusOr<v1::VerifyTokenResponse> response =
      (*client)->VerifyToken(request);
  if (!response.ok()) return Fail(response.status());
  PrintJson(*response);
  if (!response->valid()) {
    return Fail(
        absl::StrCat("token is not valid: ",
                     v1::VerificationFailure_Name(response->failure())));
  }
  return 0;
}

}  // namespace captoken::cli
