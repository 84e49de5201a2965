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

void PrintJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.always_print_enums_as_ints = false;
  options.preserve_proto_field_names = true;
  const auto status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    Fail("cannot print the result as JSON");
    return;
  }
  std::cout << json << "\n";
}

}  // namespace captoken::cli
