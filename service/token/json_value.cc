#include "service/token/json_value.h"

#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "service/token/internal/ascii_scan.h"
#include "service/token/internal/utf8.h"

namespace captoken::token {

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
  json.integer_ = value;
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

std::vector<JsonMember> JsonValue::member_views() const {
  std::vector<JsonMember> views(names_.size());
  for (size_t i = 0; i < names_.size(); ++i) {
    const JsonValue& value = elements_[i];
    views[i] = JsonMember{names_[i], value.type_, value.text_,
                          value.bool_value_, value.integer_};
  }
  return views;
}

// JsonCursor reads the tokens of one input: the one implementation of JSON's
// whitespace, literals, numbers and strings, which ParseJson (through
// JsonParser) and ReadFlatJsonObject share, so that the two cannot read the
// same bytes differently. Each Read* method consumes what it names and
// returns nullptr, or returns a fixed phrase naming the problem, with pos()
// at it, for ParseJson's message (ReadFlatJsonObject only declines).
class JsonCursor {
 public:
  explicit JsonCursor(absl::string_view text) : text_(text) {}

  size_t pos() const { return pos_; }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }
  void Advance() { ++pos_; }

  void SkipWhitespace() {
    while (!AtEnd()) {
      const char c = Peek();
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }

  // Skips whitespace, then consumes `c` if it is next.
  bool SkipToAndConsume(char c) {
    SkipWhitespace();
    if (AtEnd() || Peek() != c) return false;
    ++pos_;
    return true;
  }

  // Reads the string, number, true, false or null at the cursor into `out`
  // (all but its name). See ReadString for `decoded`.
  const char* ReadScalar(JsonMember* out, std::string* decoded) {
    if (AtEnd()) return "unexpected end of input";
    out->integer.reset();
    switch (Peek()) {
      case '"':
        out->type = JsonValue::Type::kString;
        return ReadString(&out->text, decoded);
      case 't':
      case 'f':
        out->type = JsonValue::Type::kBool;
        out->bool_value = Peek() == 't';
        if (!ConsumeLiteral(out->bool_value ? "true" : "false")) {
          return "invalid literal";
        }
        return nullptr;
      case 'n':
        out->type = JsonValue::Type::kNull;
        if (!ConsumeLiteral("null")) return "invalid literal";
        return nullptr;
      default:
        out->type = JsonValue::Type::kNumber;
        return ReadNumber(&out->text, &out->integer);
    }
  }

  // Reads the string at the cursor (at its '"'). `*text` is its decoded
  // text: a view of the input when the string holds no escape (most do, and
  // then nothing is copied), otherwise of `*decoded`, which it replaces. If
  // `decoded` is null a string with an escape is refused ("escape").
  const char* ReadString(absl::string_view* text, std::string* decoded) {
    ++pos_;  // '"'
    const size_t start = pos_;
    bool escaped = false;  // Once true, the text so far is in *decoded.
    while (true) {
      // The run of plain ASCII up to the next byte that needs a look.
      const size_t run =
          internal::PlainRunLength(text_.substr(pos_), /*stop_at_del=*/false);
      if (escaped) decoded->append(text_.data() + pos_, run);
      pos_ += run;
      if (AtEnd()) return "unterminated string";
      const uint8_t byte = static_cast<uint8_t>(Peek());
      if (byte == '"') {
        *text = escaped ? absl::string_view(*decoded)
                        : text_.substr(start, pos_ - start);
        ++pos_;
        return nullptr;
      }
      if (byte == '\\') {
        if (decoded == nullptr) return "escape";
        if (!escaped) {
          decoded->assign(text_.data() + start, pos_ - start);
          escaped = true;
        }
        ++pos_;
        if (const char* problem = ReadEscape(decoded)) return problem;
      } else if (byte < 0x20) {
        return "control character in string";
      } else if (byte < 0x80) {
        if (escaped) decoded->push_back(static_cast<char>(byte));
        ++pos_;
      } else {
        const size_t sequence = pos_;
        if (internal::DecodeUtf8(text_, &pos_) == internal::kInvalidUtf8) {
          pos_ = sequence;
          return "invalid UTF-8";
        }
        if (escaped) decoded->append(text_.data() + sequence, pos_ - sequence);
      }
    }
  }

 private:
  bool ConsumeLiteral(absl::string_view literal) {
    if (text_.substr(pos_, literal.size()) != literal) return false;
    pos_ += literal.size();
    return true;
  }

  // number = [ "-" ] int [ frac ] [ exp ]  (RFC 8259 §6). `*literal` is
  // the number as written and `*integer` its value if it is an integer (no
  // fraction, no exponent) that fits in int64_t: the one place JSON
  // integers are read (JsonValue::AsInt64 returns what it read).
  const char* ReadNumber(absl::string_view* literal,
                         std::optional<int64_t>* integer) {
    const size_t start = pos_;
    // Up to 18 digits cannot overflow, so the usual claim (a 10-digit time)
    // is summed here as it is scanned; longer ones go to SimpleAtoi below,
    // which checks the range.
    int64_t magnitude = 0;
    auto digits = [this, &magnitude](bool sum) {
      size_t count = 0;
      while (!AtEnd() && Peek() >= '0' && Peek() <= '9') {
        if (sum && count < 18) magnitude = magnitude * 10 + (Peek() - '0');
        ++pos_;
        ++count;
      }
      return count;
    };
    const bool negative = !AtEnd() && Peek() == '-';
    if (negative) ++pos_;
    if (AtEnd()) return "invalid number";
    size_t integer_digits = 1;
    if (Peek() == '0') {
      ++pos_;
    } else if ((integer_digits = digits(/*sum=*/true)) == 0) {
      return "unexpected character";
    }
    bool is_integer = true;
    if (!AtEnd() && Peek() == '.') {
      ++pos_;
      if (digits(/*sum=*/false) == 0) return "invalid number";
      is_integer = false;
    }
    if (!AtEnd() && (Peek() == 'e' || Peek() == 'E')) {
      ++pos_;
      if (!AtEnd() && (Peek() == '+' || Peek() == '-')) ++pos_;
      if (digits(/*sum=*/false) == 0) return "invalid number";
      is_integer = false;
    }
    *literal = text_.substr(start, pos_ - start);
    integer->reset();
    if (is_integer && integer_digits <= 18) {
      *integer = negative ? -magnitude : magnitude;
    } else if (int64_t value;
               is_integer && absl::SimpleAtoi(*literal, &value)) {
      *integer = value;
    }
    return nullptr;
  }

  // Reads four hex digits of a \u escape.
  bool ReadHex4(char32_t* unit) {
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

  // Reads the escape after a '\' and appends what it stands for.
  const char* ReadEscape(std::string* out) {
    if (AtEnd()) return "unterminated string";
    const char c = Peek();
    ++pos_;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out->push_back(c);
        return nullptr;
      case 'b':
        out->push_back('\b');
        return nullptr;
      case 'f':
        out->push_back('\f');
        return nullptr;
      case 'n':
        out->push_back('\n');
        return nullptr;
      case 'r':
        out->push_back('\r');
        return nullptr;
      case 't':
        out->push_back('\t');
        return nullptr;
      case 'u':
        break;
      default:
        return "invalid escape";
    }
    char32_t unit;
    if (!ReadHex4(&unit)) return "invalid \\u escape";
    if (unit >= 0xDC00 && unit <= 0xDFFF) return "lone surrogate";
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      char32_t low;
      if (!ConsumeLiteral("\\u") || !ReadHex4(&low) || low < 0xDC00 ||
          low > 0xDFFF) {
        return "lone surrogate";
      }
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(unit, out);
    return nullptr;
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

// JsonParser is a recursive-descent parser over one input: the structure
// (objects, arrays, depth, duplicate names) over JsonCursor's tokens. Each
// Parse* method consumes exactly the production it names, or returns an
// error.
class JsonParser {
 public:
  JsonParser(absl::string_view text, int max_depth)
      : cursor_(text), max_depth_(max_depth) {}

  absl::StatusOr<JsonValue> ParseDocument() {
    JsonValue value;
    cursor_.SkipWhitespace();
    absl::Status status = ParseValue(&value, 0);
    if (!status.ok()) return status;
    cursor_.SkipWhitespace();
    if (!cursor_.AtEnd()) return Error("unexpected data after the value");
    return value;
  }

 private:
  absl::Status Error(absl::string_view problem) const {
    return absl::InvalidArgumentError(
        absl::StrCat("JSON: ", problem, " at byte ", cursor_.pos()));
  }

  absl::Status ParseValue(JsonValue* value, int depth) {
    if (!cursor_.AtEnd() && cursor_.Peek() == '{') {
      return ParseObject(value, depth + 1);
    }
    if (!cursor_.AtEnd() && cursor_.Peek() == '[') {
      return ParseArray(value, depth + 1);
    }
    JsonMember scalar;
    if (const char* problem = cursor_.ReadScalar(&scalar, &value->text_)) {
      return Error(problem);
    }
    value->type_ = scalar.type;
    value->bool_value_ = scalar.bool_value;
    value->integer_ = scalar.integer;
    // An escaped string is already decoded into text_.
    if (scalar.text.data() != value->text_.data()) {
      value->text_.assign(scalar.text.data(), scalar.text.size());
    }
    return absl::OkStatus();
  }

  absl::Status ParseObject(JsonValue* value, int depth) {
    if (depth > max_depth_) return Error("nesting too deep");
    value->type_ = JsonValue::Type::kObject;
    // Token headers and claims have a handful of members.
    value->names_.reserve(8);
    value->elements_.reserve(8);
    cursor_.Advance();  // '{'
    if (cursor_.SkipToAndConsume('}')) return absl::OkStatus();
    std::string decoded_name;
    while (true) {
      if (cursor_.AtEnd() || cursor_.Peek() != '"') {
        return Error("expected a member name");
      }
      absl::string_view name;
      if (const char* problem = cursor_.ReadString(&name, &decoded_name)) {
        return Error(problem);
      }
      if (value->names_.size() == kMaxMembers) return Error("too many members");
      if (value->Find(name) != nullptr) return Error("duplicate member name");
      if (!cursor_.SkipToAndConsume(':')) return Error("expected ':'");
      cursor_.SkipWhitespace();
      value->names_.emplace_back(name);
      value->elements_.emplace_back();
      absl::Status status = ParseValue(&value->elements_.back(), depth);
      if (!status.ok()) return status;
      cursor_.SkipWhitespace();
      if (cursor_.AtEnd()) return Error("unterminated object");
      if (cursor_.SkipToAndConsume('}')) return absl::OkStatus();
      if (!cursor_.SkipToAndConsume(',')) return Error("expected ',' or '}'");
      cursor_.SkipWhitespace();
    }
  }

  absl::Status ParseArray(JsonValue* value, int depth) {
    if (depth > max_depth_) return Error("nesting too deep");
    value->type_ = JsonValue::Type::kArray;
    cursor_.Advance();  // '['
    if (cursor_.SkipToAndConsume(']')) return absl::OkStatus();
    while (true) {
      value->elements_.emplace_back();
      absl::Status status = ParseValue(&value->elements_.back(), depth);
      if (!status.ok()) return status;
      cursor_.SkipWhitespace();
      if (cursor_.AtEnd()) return Error("unterminated array");
      if (cursor_.SkipToAndConsume(']')) return absl::OkStatus();
      if (!cursor_.SkipToAndConsume(',')) return Error("expected ',' or ']'");
      cursor_.SkipWhitespace();
    }
  }

  // Bounds the quadratic duplicate-name check; token objects have a handful
  // of members.
  static constexpr size_t kMaxMembers = 256;

  JsonCursor cursor_;
  int max_depth_;
};

absl::StatusOr<JsonValue> ParseJson(absl::string_view text, int max_depth) {
  return JsonParser(text, max_depth).ParseDocument();
}

std::optional<size_t> ReadFlatJsonObject(absl::string_view text,
                                         absl::Span<JsonMember> members) {
  JsonCursor cursor(text);
  if (!cursor.SkipToAndConsume('{')) return std::nullopt;
  size_t count = 0;
  if (!cursor.SkipToAndConsume('}')) {
    while (true) {
      if (count == members.size()) return std::nullopt;
      JsonMember& member = members[count];
      cursor.SkipWhitespace();
      if (cursor.AtEnd() || cursor.Peek() != '"' ||
          cursor.ReadString(&member.name, nullptr) != nullptr) {
        return std::nullopt;
      }
      // Names without escapes are equal exactly when their bytes are.
      for (size_t i = 0; i < count; ++i) {
        if (members[i].name == member.name) return std::nullopt;
      }
      if (!cursor.SkipToAndConsume(':')) return std::nullopt;
      cursor.SkipWhitespace();
      if (cursor.AtEnd() || cursor.Peek() == '{' || cursor.Peek() == '[' ||
          cursor.ReadScalar(&member, nullptr) != nullptr) {
        return std::nullopt;
      }
      ++count;
      if (cursor.SkipToAndConsume('}')) break;
      if (!cursor.SkipToAndConsume(',')) return std::nullopt;
    }
  }
  cursor.SkipWhitespace();
  if (!cursor.AtEnd()) return std::nullopt;
  return count;
}

}  // namespace captoken::token
