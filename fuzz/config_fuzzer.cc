// Fuzzes configuration parsing: protobuf text -> ServerConfig -> checked
// ServerSettings (including compiling caller policies' RE2 patterns).
// Secrets are not read: ServerSettingsFromConfig only names them.

#include <cstddef>
#include <cstdint>
#include <string>

#include "captoken/v1/config.pb.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "service/config/server_config.h"

namespace {

// Parse errors are expected on most inputs; logging each would slow the
// fuzzer to a crawl.
class IgnoreErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int, google::protobuf::io::ColumnNumber,
                const std::string&) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  captoken::v1::ServerConfig config;
  IgnoreErrors errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.AllowPartialMessage(false);
  if (!parser.ParseFromString(text, &config)) return 0;
  (void)captoken::config::ServerSettingsFromConfig(config);
  return 0;
}
