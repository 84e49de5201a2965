#include "client/cli/remote_commands.h"

#include <iostream>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "client/cli/cli_flags.h"
#include "client/cli/cli_io.h"
#include "client/cli/output.h"
#include "client/cli/request_json.h"
#include "client/cpp/token_client.h"
#include "grpcpp/security/credentials.h"
#include "service/token/status_macros.h"

namespace captoken::cli {
namespace {

// Plaintext, or TLS (mutual when a client certificate is given).
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
CredentialsFromFlags() {
  const std::string ca = absl::GetFlag(FLAGS_tls_ca_file);
  const std::string cert = absl::GetFlag(FLAGS_tls_cert_file);
  const std::string key = absl::GetFlag(FLAGS_tls_key_file);
  if (ca.empty()) {
    if (!cert.empty() || !key.empty()) {
      return absl::InvalidArgumentError(
          "--tls_cert_file and --tls_key_file need --tls_ca_file");
    }
    return grpc::InsecureChannelCredentials();
  }
  if (cert.empty() != key.empty()) {
    return absl::InvalidArgumentError(
        "give both --tls_cert_file and --tls_key_file, or neither");
  }
  grpc::SslCredentialsOptions options;
  CAPTOKEN_ASSIGN_OR_RETURN(options.pem_root_certs,
                            ReadArgument(absl::StrCat("@", ca)));
  if (!cert.empty()) {
    CAPTOKEN_ASSIGN_OR_RETURN(options.pem_cert_chain,
                              ReadArgument(absl::StrCat("@", cert)));
    CAPTOKEN_ASSIGN_OR_RETURN(options.pem_private_key,
                              ReadArgument(absl::StrCat("@", key)));
  }
  return grpc::SslCredentials(options);
}

absl::StatusOr<std::unique_ptr<client::TokenClient>> ConnectFromFlags() {
  const std::string server = absl::GetFlag(FLAGS_server);
  if (server.empty()) {
    return absl::InvalidArgumentError("--server=HOST:PORT is required");
  }
  CAPTOKEN_ASSIGN_OR_RETURN(
      std::shared_ptr<grpc::ChannelCredentials> credentials,
      CredentialsFromFlags());
  return client::TokenClient::Create(server,
                                     {.deadline = absl::GetFlag(FLAGS_deadline),
                                      .credentials = std::move(credentials)});
}

// Parses --request as a `Request`, sends it with `mint` and prints the
// token alone.
template <typename Request>
int MintAndPrint(const std::vector<std::string>& args,
                 absl::string_view command,
                 absl::StatusOr<v1::TokenResponse> (client::TokenClient::*mint)(
                     const Request&) const) {
  if (!args.empty()) return Fail(absl::StrCat(command, " takes no arguments"));
  absl::StatusOr<Request> request = ParseRequestFlag<Request>();
  if (!request.ok()) return Fail(request.status());
  absl::StatusOr<std::unique_ptr<client::TokenClient>> client =
      ConnectFromFlags();
  if (!client.ok()) return Fail(client.status());
  absl::StatusOr<v1::TokenResponse> response = ((**client).*mint)(*request);
  if (!response.ok()) return Fail(response.status());
  std::cout << response->token() << "\n";
  return 0;
}

}  // namespace

int RunMintCapability(const std::vector<std::string>& args) {
  return MintAndPrint(args, "mint capability",
                      &client::TokenClient::MintCapabilityToken);
}

int RunMintTaskRouter(const std::vector<std::string>& args) {
  return MintAndPrint(args, "mint taskrouter",
                      &client::TokenClient::MintTaskRouterToken);
}

int RunMintAccess(const std::vector<std::string>& args) {
  return MintAndPrint(args, "mint access",
                      &client::TokenClient::MintAccessToken);
}

int RunMintBatch(const std::vector<std::string>& args) {
  if (!args.empty()) return Fail("mint batch takes no arguments");
  absl::StatusOr<v1::BatchMintRequest> request =
      ParseRequestFlag<v1::BatchMintRequest>();
  if (!request.ok()) return Fail(request.status());
  absl::StatusOr<std::unique_ptr<client::TokenClient>> client =
      ConnectFromFlags();
  if (!client.ok()) return Fail(client.status());
  absl::StatusOr<v1::BatchMintResponse> response =
      (*client)->BatchMint(*request);
  if (!response.ok()) return Fail(response.status());
  // Items succeed or fail one by one: print them all, then say how many
  // failed.
  if (absl::Status printed = PrintJson(*response); !printed.ok()) {
    return Fail(printed);
  }
  int failed = 0;
  for (const v1::MintResult& result : response->results()) {
    if (result.code() != 0) ++failed;
  }
  if (failed > 0) {
    return Fail(absl::StrCat(failed, " of ", response->results_size(),
                             " requests failed"));
  }
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
  // A verdict that cannot be printed is a failure, even a valid one: exit
  // status 0 always comes with the verdict on standard output.
  if (absl::Status printed = PrintJson(*response); !printed.ok()) {
    return Fail(printed);
  }
  if (!response->valid()) {
    return Fail(
        absl::StrCat("token is not valid: ",
                     v1::VerificationFailure_Name(response->failure())));
  }
  return 0;
}

int RunWhoAmI(const std::vector<std::string>& args) {
  if (!args.empty()) return Fail("whoami takes no arguments");
  absl::StatusOr<std::unique_ptr<client::TokenClient>> client =
      ConnectFromFlags();
  if (!client.ok()) return Fail(client.status());
  absl::StatusOr<v1::GetCallerPolicyResponse> response =
      (*client)->GetCallerPolicy();
  if (!response.ok()) return Fail(response.status());
  if (absl::Status printed = PrintJson(*response); !printed.ok()) {
    return Fail(printed);
  }
  return 0;
}

}  // namespace captoken::cli
