// File: output.h
// -----------------------------------------------------------------------------
//
// How every `captoken` subcommand reports: results on standard output,
// reasons on standard error prefixed "captoken: ", exit status 1 on failure.

#ifndef CAPTOKEN_CLIENT_CLI_OUTPUT_H_
#define CAPTOKEN_CLIENT_CLI_OUTPUT_H_

#include "absl/base/attributes.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace captoken::cli {

// Fail prints "captoken: <message>" to standard error and returns 1.
int Fail(absl::string_view message);

// Fail prints the status's code and message and returns 1.
int Fail(const absl::Status& status);

// PrintJson prints `message` as one line of proto3 JSON (field names as in
// the .proto files, defaults included) to standard output.
//
// Fails with INTERNAL, having printed nothing, if the message has no JSON
// form (a time outside 0001-9999, say). Callers must then exit non-zero:
// a command that prints no result must not look as if it succeeded.
ABSL_MUST_USE_RESULT absl::Status PrintJson(
    const google::protobuf::Message& message);

}  // namespace captoken::cli

#endif  // CAPTOKEN_CLIENT_CLI_OUTPUT_H_
