// File: run_captured.h
// -----------------------------------------------------------------------------
//
// RunCaptured runs one `captoken` subcommand in the test's process and
// returns its exit status with what it wrote on standard output and
// standard error, for the CLI's unit tests.

#ifndef CAPTOKEN_CLIENT_CLI_RUN_CAPTURED_H_
#define CAPTOKEN_CLIENT_CLI_RUN_CAPTURED_H_

#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "gtest/gtest.h"

namespace captoken::cli {

struct Captured {
  int exit_code;
  std::string out;
  std::string err;
};

inline Captured RunCaptured(
    absl::FunctionRef<int(const std::vector<std::string>&)> command,
    const std::vector<std::string>& args) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int exit_code = command(args);
  std::string out = ::testing::internal::GetCapturedStdout();
  return {exit_code, std::move(out), ::testing::internal::GetCapturedStderr()};
}

}  // namespace captoken::cli

#endif  // CAPTOKEN_CLIENT_CLI_RUN_CAPTURED_H_
