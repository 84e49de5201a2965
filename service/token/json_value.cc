#include "service/token/json_value.h"

#include <array>
#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "service/token/internal/ascii_scan.h"
#include "service/token/internal/utf8.h"

namespace captoken::token {

std::optional<int64_t> JsonValue::AsInt64() const {
  if (type_ != Type::kNumber) return std::nullopt;
  // The parser checked the grammar; an integer is digits with an optional
  // minus sign (no fraction, no exponent). Up to 18 digits cannot overflow,
  // so the usual claim (a 10-digit time) is read here; longer ones go to
  // SimpleAtoi, which checks the range.
  const bool negative = !text_.empty() && text_[0] == '-';
  const absl::string_view digits = absl::string_view(text_).substr(negative);
  if (digits.empty() || digits.size() > 18) {
    for (char c : text_) {
      if (c == '.' || c == 'e' || c == 'E') return std::nullopt;
    }
    int64_t value;
    if (!absl::SimpleAtoi(text_, &value)) return std::nullopt;
    return value;
  }
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;  // '.', 'e' or 'E'
    value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

JsonValue JsonValue::Bool(bool value) {
  JsonValue json;
  json.type_ = Type::kBool;
  json.bool_value_ = value;
  return json;
}

JsonValue JsonValue::Int(int64_t value) {
  JsonValue json;
  json.type_ = Type::kNumber;
  json.text_ = absl::StrCat(value);
  return json;
}

JsonValue JsonValue::String(std::string value) {
  JsonValue json;
  json.type_ = Type::kString;
  json.text_ = std::move(value);
  return json;
}

JsonValue JsonValue::Array(std::vector<JsonValue> elements) {
  JsonValue json;
  json.type_ = Type::kArray;
  json.elements_ = std::move(elements);
  return json;
}

JsonValue JsonValue::Object(
    std::vector<std::pair<std::string, JsonValue>> members) {
  JsonValue json;
  json.type_ = Type::kObject;
  json.names_.reserve(members.size());
  json.elements_.reserve(members.size());
  for (auto& [name, value] : members) {
    json.names_.push_back(std::move(name));
    json.elements_.push_back(std::move(value));
  }
  return json;
}

bool operator==(const JsonValue& a, const JsonValue& b) {
  return a.type_ == b.type_ && a.bool_value_ == b.bool_value_ &&
         a.text_ == b.text_ && a.names_ == b.names_ &&
         a.elements_ == b.elements_;
}

const JsonValue* JsonValue::Find(absl::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return &elements_[i];
  }
  return nullptr;
}

// JsonParser is a recursive-descent parser over one input. Each Parse*
// method consumes exactly the production it names, or returns an error.
class JsonParser {
 public:
  JsonParser(absl::string_view text, int max_depth)
      : text_(text), max_depth_(max_depth) {}

  absl::StatusOr<JsonValue> ParseDocument() {
    JsonValue value;
    SkipWhitespace();
    absl::Status status = ParseValue(&value, 0);
    if (!status.ok()) return status;
    SkipWhitespace();
    if (pos_ != text_.size()) return Error("unexpected data after the value");
    return value;
  }

 private:
  absl::Status Error(absl::string_view problem) const {
    return absl::InvalidArgumentError(
        absl::StrCat("JSON: ", problem, " at byte ", pos_));
  }

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }

  void SkipWhitespace() {
    while (!AtEnd()) {
      const char c = Peek();
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }

  bool ConsumeLiteral(absl::string_view literal) {
    if (text_.substr(pos_, literal.size()) != literal) return false;
    pos_ += literal.size();
    return true;
  }

  absl::Status ParseValue(JsonValue* value, int depth) {
    if (AtEnd()) return Error("unexpected end of input");
    switch (Peek()) {
      case '{':
        return ParseObject(value, depth + 1);
      case '[':
        return ParseArray(value, depth + 1);
      case '"':
        value->type_ = JsonValue::Type::kString;
        return ParseString(&value->text_);
      case 't':
      case 'f':
        value->type_ = JsonValue::Type::kBool;
        value->bool_value_ = Peek() == 't';
        if (!ConsumeLiteral(value->bool_value_ ? "true" : "false")) {
          return Error("invalid literal");
        }
        return absl::OkStatus();
      case 'n':
        value->type_ = JsonValue::Type::kNull;
        if (!ConsumeLiteral("null")) return Error("invalid literal");
        return absl::OkStatus();
      default:
        value->type_ = JsonValue::Type::kNumber;
        return ParseNumber(&value->text_);
    }
  }

  absl::Status ParseObject(JsonValue* value, int depth) {
    if (depth > max_depth_) return Error("nesting too deep");
    value->type_ = JsonValue::Type::kObject;
    // Token headers and claims have a handful of members.
    value->names_.reserve(8);
    value->elements_.reserve(8);
    ++pos_;  // '{'
    SkipWhitespace();
    if (!AtEnd() && Peek() == '}') {
      ++pos_;
      return absl::OkStatus();
    }
    while (true) {
      if (AtEnd() || Peek() != '"') return Error("expected a member name");
      std::string name;
      absl::Status status = ParseString(&name);
      if (!status.ok()) return status;
      if (value->names_.size() == kMaxMembers) return Error("too many members");
      if (value->Find(name) != nullptr) return Error("duplicate member name");
      SkipWhitespace();
      if (AtEnd() || Peek() != ':') return Error("expected ':'");
      ++pos_;
      SkipWhitespace();
      value->names_.push_back(std::move(name));
      value->elements_.emplace_back();
      status = ParseValue(&value->elements_.back(), depth);
      if (!status.ok()) return status;
      SkipWhitespace();
      if (AtEnd()) return Error("unterminated object");
      if (Peek() == '}') {
        ++pos_;
        return absl::OkStatus();
      }
      if (Peek() != ',') return Error("expected ',' or '}'");
      ++pos_;
      SkipWhitespace();
    }
  }

  absl::Status ParseArray(JsonValue* value, int depth) {
    if (depth > max_depth_) return Error("nesting too deep");
    value->type_ = JsonValue::Type::kArray;
    ++pos_;  // '['
    SkipWhitespace();
    if (!AtEnd() && Peek() == ']') {
      ++pos_;
      return absl::OkStatus();
    }
    while (true) {
      value->elements_.emplace_back();
      absl::Status status = ParseValue(&value->elements_.back(), depth);
      if (!status.ok()) return status;
      SkipWhitespace();
      if (AtEnd()) return Error("unterminated array");
      if (Peek() == ']') {
        ++pos_;
        return absl::OkStatus();
      }
      if (Peek() != ',') return Error("expected ',' or ']'");
      ++pos_;
      SkipWhitespace();
    }
  }

  // number = [ "-" ] int [ frac ] [ exp ]  (RFC 8259 §6)
  absl::Status ParseNumber(std::string* text) {
    const size_t start = pos_;
    auto digits = [this] {
      size_t count = 0;
      while (!AtEnd() && Peek() >= '0' && Peek() <= '9') {
        ++pos_;
        ++count;
      }
      return count;
    };
    if (!AtEnd() && Peek() == '-') ++pos_;
    if (AtEnd()) return Error("invalid number");
    if (Peek() == '0') {
      ++pos_;
    } else if (digits() == 0) {
      return Error("unexpected character");
    }
    if (!AtEnd() && Peek() == '.') {
      ++pos_;
      if (digits() == 0) return Error("invalid number");
    }
    if (!AtEnd() && (Peek() == 'e' || Peek() == 'E')) {
      ++pos_;
      if (!AtEnd() && (Peek() == '+' || Peek() == '-')) ++pos_;
      if (digits() == 0) return Error("invalid number");
    }
    text->assign(text_.data() + start, pos_ - start);
    return absl::OkStatus();
  }

  // Reads four hex digits of a \u escape.
  bool ParseHex4(char32_t* unit) {
    if (text_.size() - pos_ < 4) return false;
    char32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const int digit = internal::HexDigitValue(text_[pos_ + i]);
      if (digit < 0) return false;
      value = (value << 4) | static_cast<char32_t>(digit);
    }
    pos_ += 4;
    *unit = value;
    return true;
  }

  static void AppendUtf8(char32_t c, std::string* out) {
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (c >> 6)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (c >> 12)));
      out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (c >> 18)));
      out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }

  absl::Status ParseEscape(std::string* out) {
    if (AtEnd()) return Error("unterminated string");
    const char c = Peek();
    ++pos_;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out->push_back(c);
        return absl::OkStatus();
      case 'b':
        out->push_back('\b');
        return absl::OkStatus();
      case 'f':
        out->push_back('\f');
        return absl::OkStatus();
      case 'n':
        out->push_back('\n');
        return absl::OkStatus();
      case 'r':
        out->push_back('\r');
        return absl::OkStatus();
      case 't':
        out->push_back('\t');
        return absl::OkStatus();
      case 'u':
        break;
      default:
        return Error("invalid escape");
    }
    char32_t unit;
    if (!ParseHex4(&unit)) return Error("invalid \\u escape");
    if (unit >= 0xDC00 && unit <= 0xDFFF) return Error("lone surrogate");
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      char32_t low;
      if (!ConsumeLiteral("\\u") || !ParseHex4(&low) || low < 0xDC00 ||
          low > 0xDFFF) {
        return Error("lone surrogate");
      }
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(unit, out);
    return absl::OkStatus();
  }

  absl::Status ParseString(std::string* out) {
    ++pos_;  // '"'
    while (true) {
      // Copy the run of plain ASCII up to the next byte that needs a look.
      const size_t run =
          internal::PlainRunLength(text_.substr(pos_), /*stop_at_del=*/false);
      out->append(text_.data() + pos_, run);
      pos_ += run;
      if (AtEnd()) return Error("unterminated string");
      const uint8_t byte = static_cast<uint8_t>(Peek());
      if (byte == '"') {
        ++pos_;
        return absl::OkStatus();
      }
      if (byte == '\\') {
        ++pos_;
        absl::Status status = ParseEscape(out);
        if (!status.ok()) return status;
      } else if (byte < 0x20) {
        return Error("control character in string");
      } else if (byte < 0x80) {
        out->push_back(static_cast<char>(byte));
        ++pos_;
      } else {
        const size_t start = pos_;
        if (internal::DecodeUtf8(text_, &pos_) == internal::kInvalidUtf8) {
          pos_ = start;
          return Error("invalid UTF-8");
        }
        out->append(text_.data() + start, pos_ - start);
      }
    }
  }

  // Bounds the quadratic duplicate-name check; token objects have a handful
  // of members.
  static constexpr size_t kMaxMembers = 256;

  absl::string_view text_;
  int max_depth_;
  size_t pos_ = 0;
};

absl::StatusOr<JsonValue> ParseJson(absl::string_view text, int max_depth) {
  return JsonParser(text, max_depth).ParseDocument();
}

namespace {

bool IsJsonSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// SimpleObjectReader is ReadSimpleJsonObject's cursor. Each method consumes
// what it names and returns true, or returns false: the text is not of the
// simple shape (it may still be JSON).
class SimpleObjectReader {
 public:
  explicit SimpleObjectReader(absl::string_view text) : text_(text) {}

  bool AtEnd() {
    SkipSpace();
    return pos_ == text_.size();
  }

  bool Consume(char c) {
    SkipSpace();
    if (pos_ == text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  bool NextIs(char c) {
    SkipSpace();
    return pos_ < text_.size() && text_[pos_] == c;
  }

  // A string the run of PlainRunLength covers: nothing to unescape or check.
  bool PlainString(absl::string_view* out) {
    if (!Consume('"')) return false;
    const size_t run =
        internal::PlainRunLength(text_.substr(pos_), /*stop_at_del=*/false);
    if (pos_ + run == text_.size() || text_[pos_ + run] != '"') return false;
    *out = text_.substr(pos_, run);
    pos_ += run + 1;
    return true;
  }

  // -?(0|[1-9][0-9]*) with at most 18 digits. A fraction or exponent after
  // it is left for the caller, which expects ',' or '}' and so declines.
  bool Integer(absl::string_view* out, int64_t* value) {
    SkipSpace();
    const size_t start = pos_;
    const bool negative = pos_ < text_.size() && text_[pos_] == '-';
    if (negative) ++pos_;
    const size_t digits = pos_;
    int64_t magnitude = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      if (pos_ - digits == 18) return false;
      magnitude = magnitude * 10 + (text_[pos_] - '0');
      ++pos_;
    }
    if (pos_ == digits) return false;
    if (pos_ - digits > 1 && text_[digits] == '0') return false;
    *out = text_.substr(start, pos_ - start);
    *value = negative ? -magnitude : magnitude;
    return true;
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && IsJsonSpace(text_[pos_])) ++pos_;
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<size_t> ReadSimpleJsonObject(
    absl::string_view text, absl::Span<SimpleJsonMember> members) {
  SimpleObjectReader reader(text);
  if (!reader.Consume('{')) return std::nullopt;
  size_t count = 0;
  if (!reader.Consume('}')) {
    while (true) {
      if (count == members.size()) return std::nullopt;
      SimpleJsonMember& member = members[count];
      if (!reader.PlainString(&member.name)) return std::nullopt;
      // Names without escapes are equal exactly when their bytes are.
      for (size_t i = 0; i < count; ++i) {
        if (members[i].name == member.name) return std::nullopt;
      }
      if (!reader.Consume(':')) return std::nullopt;
      member.is_string = reader.NextIs('"');
      if (member.is_string ? !reader.PlainString(&member.text)
                           : !reader.Integer(&member.text, &member.integer)) {
        return std::nullopt;
      }
      ++count;
      if (reader.Consume('}')) break;
      if (!reader.Consume(',')) return std::nullopt;
    }
  }
  if (!reader.AtEnd()) return std::nullopt;
  return count;
}

}  // namespace captoken::token
