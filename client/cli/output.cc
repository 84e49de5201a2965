#include "client/cli/output.h"

#include <iostream>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/util/json_util.h"

namespace captoken::cli {

int Fail(absl::string_view message) {
  std::cerr << "captoken: " << message << "\n";
  return 1;
}

int Fail(const absl::Status& status) {
  std::cerr << "captoken: " << absl::StatusCodeToString(status.code()) << ": "
            << status.message() << "\n";
  return 1;
}

absl::Status PrintJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.always_print_enums_as_ints = false;
  options.preserve_proto_field_names = true;
  const auto status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    // The converter's message may quote the message's contents (claims read
    // from a token): say only that nothing was printed.
    return absl::InternalError(
        "cannot print the result as JSON, so none was printed");
  }
  std::cout << json << "\n";
  return absl::OkStatus();
}

}  // namespace captoken::cli
