#include "service/token/internal/json_writer.h"

#include <array>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "service/token/internal/ascii_scan.h"
#include "service/token/internal/utf8.h"

namespace captoken::token::internal {
namespace {

constexpr char kLowerHex[] = "0123456789abcdef";

void AppendUnicodeEscape(char32_t unit, std::string* out) {
  const char escape[6] = {'\\',
                          'u',
                          kLowerHex[(unit >> 12) & 0xF],
                          kLowerHex[(unit >> 8) & 0xF],
                          kLowerHex[(unit >> 4) & 0xF],
                          kLowerHex[unit & 0xF]};
  out->append(escape, sizeof(escape));
}

// Returns the short escape both serializers use for `c`, or nullptr.
const char* ShortEscape(char32_t c) {
  switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      return nullptr;
  }
}

// Appends the bytes from `*pos` up to the next one the serializer must look
// at (see ascii_scan.h), and advances `*pos` to it. Most strings are one run.
void AppendRun(absl::string_view value, bool python, size_t* pos,
               std::string* out) {
  const size_t length =
      PlainRunLength(value.substr(*pos), /*stop_at_del=*/python);
  out->append(value.data() + *pos, length);
  *pos += length;
}

void AppendJavaScriptString(absl::string_view value, std::string* out) {
  size_t pos = 0;
  while (true) {
    AppendRun(value, /*python=*/false, &pos, out);
    if (pos == value.size()) return;
    const uint8_t byte = static_cast<uint8_t>(value[pos]);
    if (byte < 0x80) {
      const char* escape = ShortEscape(byte);
      if (escape != nullptr) {
        out->append(escape);
      } else {
        AppendUnicodeEscape(byte, out);
      }
      ++pos;
    } else {
      // Non-ASCII goes out raw, once it is known to be well-formed.
      const size_t start = pos;
      if (DecodeUtf8(value, &pos) == kInvalidUtf8) {
        out->append("\xEF\xBF\xBD");  // U+FFFD
      } else {
        out->append(value.data() + start, pos - start);
      }
    }
  }
}

void AppendPythonString(absl::string_view value, std::string* out) {
  size_t pos = 0;
  while (true) {
    AppendRun(value, /*python=*/true, &pos, out);
    if (pos == value.size()) return;
    const uint8_t byte = static_cast<uint8_t>(value[pos]);
    char32_t c = byte;
    if (byte < 0x80) {
      ++pos;
    } else {
      c = DecodeUtf8(value, &pos);
      if (c == kInvalidUtf8) c = 0xFFFD;
    }
    const char* escape = ShortEscape(c);
    if (escape != nullptr) {
      out->append(escape);
    } else if (c < 0x10000) {
      AppendUnicodeEscape(c, out);
    } else {
      const char32_t offset = c - 0x10000;
      AppendUnicodeEscape(0xD800 + (offset >> 10), out);
      AppendUnicodeEscape(0xDC00 + (offset & 0x3FF), out);
    }
  }
}

}  // namespace

bool JsonStringIsVerbatim(JsonStyle style, absl::string_view value) {
  // Log keys and most values are shorter than PlainRunLength's 16-byte
  // blocks, where its word and byte loops cost several tests a byte;
  // IsAllPlain checks them whole.
  return IsAllPlain(value, /*stop_at_del=*/style != JsonStyle::kJavaScript);
}

void AppendJsonString(JsonStyle style, absl::string_view value,
                      std::string* out) {
  out->push_back('"');
  if (style == JsonStyle::kJavaScript) {
    AppendJavaScriptString(value, out);
  } else {
    AppendPythonString(value, out);
  }
  out->push_back('"');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) return;
  const uint64_t bit = uint64_t{1} << (depth_ - 1);
  if (has_element_ & bit) {
    out_->append(style_ == JsonStyle::kPythonDumps ? ", " : ",");
  }
  has_element_ |= bit;
}

void JsonWriter::Open(char bracket) {
  BeforeValue();
  out_->push_back(bracket);
  ++depth_;
  has_element_ &= ~(uint64_t{1} << (depth_ - 1));
}

void JsonWriter::Close(char bracket) {
  --depth_;
  out_->push_back(bracket);
}

void JsonWriter::BeginObject() { Open('{'); }
void JsonWriter::EndObject() { Close('}'); }
void JsonWriter::BeginArray() { Open('['); }
void JsonWriter::EndArray() { Close(']'); }

void JsonWriter::Key(absl::string_view key) {
  BeforeValue();
  AppendJsonString(style_, key, out_);
  out_->append(style_ == JsonStyle::kPythonDumps ? ": " : ":");
  after_key_ = true;
}

void JsonWriter::String(absl::string_view value) {
  BeforeValue();
  AppendJsonString(style_, value, out_);
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  absl::StrAppend(out_, value);
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_->append(value ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
}

}  // namespace captoken::token::internal
