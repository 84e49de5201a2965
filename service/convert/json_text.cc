#include "service/convert/json_text.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "service/token/internal/json_writer.h"

namespace captoken::convert {
namespace {

// Deep enough for anything the token library accepts (its limit is 8), so
// the library, not the parser, states the depth rule.
constexpr int kMaxParseDepth = 64;

void AppendJson(const token::JsonValue& value, std::string* out) {
  switch (value.type()) {
    case token::JsonValue::Type::kNull:
      out->append("null");
      return;
    case token::JsonValue::Type::kBool:
      out->append(value.bool_value() ? "true" : "false");
      return;
    case token::JsonValue::Type::kNumber:
      // As written in the token: a verified token may hold fractions or
      // exponents that the signer would never write, and they are shown as
      // they are rather than rounded.
      out->append(value.text());
      return;
    case token::JsonValue::Type::kString:
      token::internal::AppendJsonString(token::internal::JsonStyle::kJavaScript,
                                        value.text(), out);
      return;
    case token::JsonValue::Type::kArray:
      out->push_back('[');
      for (size_t i = 0; i < value.elements().size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJson(value.elements()[i], out);
      }
      out->push_back(']');
      return;
    case token::JsonValue::Type::kObject:
      out->push_back('{');
      for (size_t i = 0; i < value.member_names().size(); ++i) {
        if (i > 0) out->push_back(',');
        token::internal::AppendJsonString(
            token::internal::JsonStyle::kJavaScript, value.member_names()[i],
            out);
        out->push_back(':');
        AppendJson(value.member_values()[i], out);
      }
      out->push_back('}');
      return;
  }
}

}  // namespace

absl::StatusOr<token::JsonValue> JsonFromText(absl::string_view field,
                                              absl::string_view text) {
  absl::StatusOr<token::JsonValue> value =
      token::ParseJson(text, kMaxParseDepth);
  if (!value.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", value.status().message()));
  }
  return value;
}

std::string JsonToText(const token::JsonValue& value) {
  std::string text;
  AppendJson(value, &text);
  return text;
}

}  // namespace captoken::convert
