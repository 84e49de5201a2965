#include "service/token/url_encoding.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "service/token/utf8.h"

namespace captoken::token {
namespace {

constexpr char kUpperHex[] = "0123456789ABCDEF";

bool IsAlphanumeric(uint8_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9');
}

bool IsUriComponentUnreserved(uint8_t c) {
  switch (c) {
    case '-':
    case '_':
    case '.':
    case '!':
    case '~':
    case '*':
    case '\'':
    case '(':
    case ')':
      return true;
    default:
      return IsAlphanumeric(c);
  }
}

bool IsQuotePlusSafe(uint8_t c) {
  return IsAlphanumeric(c) || c == '_' || c == '.' || c == '-' || c == '~';
}

void AppendPercentByte(uint8_t c, std::string* out) {
  const char escaped[3] = {'%', kUpperHex[c >> 4], kUpperHex[c & 0xF]};
  out->append(escaped, sizeof(escaped));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void AppendUriComponent(absl::string_view text, std::string* out) {
  for (char ch : text) {
    const uint8_t c = static_cast<uint8_t>(ch);
    if (IsUriComponentUnreserved(c)) {
      out->push_back(ch);
    } else {
      AppendPercentByte(c, out);
    }
  }
}

void AppendQuotePlus(absl::string_view text, std::string* out) {
  for (char ch : text) {
    const uint8_t c = static_cast<uint8_t>(ch);
    if (IsQuotePlusSafe(c)) {
      out->push_back(ch);
    } else if (c == ' ') {
      out->push_back('+');
    } else {
      AppendPercentByte(c, out);
    }
  }
}

absl::StatusOr<std::string> FormDecode(absl::string_view encoded) {
  std::string decoded;
  decoded.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    const char c = encoded[i];
    if (c == '+') {
      decoded.push_back(' ');
    } else if (c == '%') {
      const bool complete = i + 2 < encoded.size();
      const int high = complete ? HexValue(encoded[i + 1]) : -1;
      const int low = complete ? HexValue(encoded[i + 2]) : -1;
      if (high < 0 || low < 0) {
        return absl::InvalidArgumentError("bad percent-escape");
      }
      decoded.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      decoded.push_back(c);
    }
  }
  if (!IsValidUtf8(decoded)) {
    return absl::InvalidArgumentError("percent-decoded text is not UTF-8");
  }
  return decoded;
}

absl::StatusOr<std::vector<QueryParam>> ParseQueryString(
    absl::string_view query) {
  std::vector<QueryParam> params;
  if (query.empty()) return params;
  for (absl::string_view pair : absl::StrSplit(query, '&')) {
    const size_t equals = pair.find('=');
    if (equals == absl::string_view::npos) {
      return absl::InvalidArgumentError("query pair without '='");
    }
    absl::StatusOr<std::string> key = FormDecode(pair.substr(0, equals));
    if (!key.ok()) return key.status();
    if (key->empty()) return absl::InvalidArgumentError("empty query key");
    absl::StatusOr<std::string> value = FormDecode(pair.substr(equals + 1));
    if (!value.ok()) return value.status();
    params.emplace_back(*std::move(key), *std::move(value));
  }
  return params;
}

}  // namespace captoken::token
