#include "client/cli/request_json.h"

#include <string>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/cli/cli_flags.h"
#include "client/cli/cli_io.h"
#include "google/protobuf/util/json_util.h"
#include "service/token/status_macros.h"

namespace captoken::cli {

absl::Status ParseRequestFlagInto(google::protobuf::Message* request) {
  const std::string flag = absl::GetFlag(FLAGS_request);
  if (flag.empty()) {
    return absl::InvalidArgumentError("--request=JSON is required");
  }
  CAPTOKEN_ASSIGN_OR_RETURN(std::string json, ReadArgument(flag));
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status =
      google::protobuf::util::JsonStringToMessage(json, request, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--request is not a ", request->GetTypeName(),
                     " in JSON: ", status.message().as_string()));
  }
  return absl::OkStatus();
}

}  // namespace captoken::cli
