// File: text_format_error.h
// -----------------------------------------------------------------------------
//
// Words protobuf text-format parse errors without quoting the text. The
// parser's own messages quote the offending token (`Message type "..." has
// no field named "<token>".`), and a config file is where an operator might
// paste a secret by mistake: the error would carry it into the start-up
// message and, on reload, into the logs. TextFormatErrorCollector keeps the
// first error as its position and a fixed phrase instead.
//
// Example:
//
//   TextFormatErrorCollector errors;
//   google::protobuf::TextFormat::Parser parser;
//   parser.RecordErrorsTo(&errors);
//   if (!parser.ParseFromString(text, &config)) {
//     return absl::InvalidArgumentError(errors.first_error());
//     // "line 3 column 5: unknown field name"
//   }

#ifndef CAPTOKEN_SERVICE_CONFIG_TEXT_FORMAT_ERROR_H_
#define CAPTOKEN_SERVICE_CONFIG_TEXT_FORMAT_ERROR_H_

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/io/tokenizer.h"

namespace captoken::config {

// TextFormatErrorPhrase returns a fixed phrase for a message of protobuf
// 3.21's text-format parser or tokenizer: what was expected or what is
// wrong ("expected \":\"", "unknown field name", "invalid value for an enum
// field", ...), never any text the message quotes from the input. A message
// it does not know gives "not valid protobuf text".
absl::string_view TextFormatErrorPhrase(absl::string_view parser_message);

// TextFormatErrorCollector records the parser's first error as
// "line L column C: <TextFormatErrorPhrase>", 1-based. Warnings are ignored.
class TextFormatErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override;

  // first_error returns the first error, or "not valid protobuf text" if
  // the parser failed without reporting one.
  std::string first_error() const;

 private:
  std::string first_error_;
};

}  // namespace captoken::config

#endif  // CAPTOKEN_SERVICE_CONFIG_TEXT_FORMAT_ERROR_H_
