// Tests for remote_commands.h, without a server: each command checks its
// arguments, --request and the connection flags before it connects, and
// says what is wrong.

#include "client/cli/remote_commands.h"

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "client/cli/cli_flags.h"
#include "client/cli/run_captured.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace captoken::cli {
namespace {

using ::testing::IsEmpty;
using ::testing::StartsWith;

class RemoteCommandsTest : public ::testing::Test {
 protected:
  RemoteCommandsTest() {
    // A port nothing listens on: no test may get as far as calling it.
    absl::SetFlag(&FLAGS_server, "127.0.0.1:1");
    absl::SetFlag(&FLAGS_request, R"({"account_sid":"AC1"})");
  }
  absl::FlagSaver saver_;
};

TEST_F(RemoteCommandsTest, MintAndWhoAmITakeNoArguments) {
  EXPECT_EQ(RunCaptured(&RunMintCapability, {"x"}).err,
            "captoken: mint capability takes no arguments\n");
  EXPECT_EQ(RunCaptured(&RunMintTaskRouter, {"x"}).err,
            "captoken: mint taskrouter takes no arguments\n");
  EXPECT_EQ(RunCaptured(&RunMintAccess, {"x"}).err,
            "captoken: mint access takes no arguments\n");
  EXPECT_EQ(RunCaptured(&RunMintBatch, {"x"}).err,
            "captoken: mint batch takes no arguments\n");
  EXPECT_EQ(RunCaptured(&RunWhoAmI, {"x"}).err,
            "captoken: whoami takes no arguments\n");
}

TEST_F(RemoteCommandsTest, VerifyTakesOneToken) {
  const Captured run = RunCaptured(&RunVerifyRemotely, {"a", "b"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "captoken: verify takes one TOKEN (or - for stdin)\n");
}

TEST_F(RemoteCommandsTest, TheRequestIsReadBeforeConnecting) {
  absl::SetFlag(&FLAGS_request, R"({"account_sid":"AC1","scope":[]})");
  const Captured run = RunCaptured(&RunMintCapability, {});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, StartsWith("captoken: INVALID_ARGUMENT: --request is "
                                  "not a captoken.v1.CapabilityRequest"));
  absl::SetFlag(&FLAGS_request, R"({"requests":[{"nope":{}}]})");
  EXPECT_THAT(RunCaptured(&RunMintBatch, {}).err,
              StartsWith("captoken: INVALID_ARGUMENT: --request is not a "
                         "captoken.v1.BatchMintRequest"));
}

TEST_F(RemoteCommandsTest, ServerIsRequired) {
  absl::SetFlag(&FLAGS_server, "");
  for (auto command : {&RunMintAccess, &RunWhoAmI}) {
    const Captured run = RunCaptured(command, {});
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_THAT(run.out, IsEmpty());
    EXPECT_EQ(run.err,
              "captoken: INVALID_ARGUMENT: --server=HOST:PORT is required\n");
  }
}

TEST_F(RemoteCommandsTest, MutualTlsNeedsBothHalvesAndACa) {
  absl::SetFlag(&FLAGS_tls_key_file, "key.pem");
  EXPECT_EQ(RunCaptured(&RunWhoAmI, {}).err,
            "captoken: INVALID_ARGUMENT: --tls_cert_file and --tls_key_file "
            "need --tls_ca_file\n");
  absl::SetFlag(&FLAGS_tls_ca_file, "/no/such/ca.pem");
  EXPECT_EQ(RunCaptured(&RunWhoAmI, {}).err,
            "captoken: INVALID_ARGUMENT: give both --tls_cert_file and "
            "--tls_key_file, or neither\n");
}

TEST_F(RemoteCommandsTest, AnUnreadableCaFileIsNotFound) {
  absl::SetFlag(&FLAGS_tls_ca_file, "/no/such/ca.pem");
  const Captured run = RunCaptured(&RunMintTaskRouter, {});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "captoken: NOT_FOUND: cannot read /no/such/ca.pem\n");
}

}  // namespace
}  // namespace captoken::cli
