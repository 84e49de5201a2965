#include "service/token/url_encoding.h"

#include <array>
#include <cstdint>

#include "absl/status/status.h"
#include "service/token/utf8.h"

namespace captoken::token {
namespace {

constexpr char kUpperHex[] = "0123456789ABCDEF";

using ByteSet = std::array<bool, 256>;

// The bytes an encoder copies unchanged: letters, digits and `extra`.
constexpr ByteSet Unreserved(const char* extra) {
  ByteSet set{};
  for (int c = 'A'; c <= 'Z'; ++c) set[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) set[c] = true;
  for (int c = '0'; c <= '9'; ++c) set[c] = true;
  for (const char* e = extra; *e != '\0'; ++e)
    set[static_cast<uint8_t>(*e)] = true;
  return set;
}

constexpr ByteSet kUriComponentUnreserved = Unreserved("-_.!~*'()");
constexpr ByteSet kQuotePlusSafe = Unreserved("_.-~");

// Percent-encodes `text` onto `out`, writing into space reserved for the
// worst case (every byte escaped) and trimming after: this runs for every
// scope of every token.
void AppendPercentEncoded(absl::string_view text, const ByteSet& unreserved,
                          bool space_as_plus, std::string* out) {
  const size_t start = out->size();
  out->resize(start + 3 * text.size());
  char* dest = &(*out)[start];
  for (char ch : text) {
    const uint8_t c = static_cast<uint8_t>(ch);
    if (unreserved[c]) {
      *dest++ = ch;
    } else if (space_as_plus && c == ' ') {
      *dest++ = '+';
    } else {
      dest[0] = '%';
      dest[1] = kUpperHex[c >> 4];
      dest[2] = kUpperHex[c & 0xF];
      dest += 3;
    }
  }
  out->resize(static_cast<size_t>(dest - out->data()));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void AppendUriComponent(absl::string_view text, std::string* out) {
  AppendPercentEncoded(text, kUriComponentUnreserved, /*space_as_plus=*/false,
                       out);
}

void AppendQuotePlus(absl::string_view text, std::string* out) {
  AppendPercentEncoded(text, kQuotePlusSafe, /*space_as_plus=*/true, out);
}

absl::Status AppendFormDecoded(absl::string_view encoded, std::string* out) {
  const size_t start = out->size();
  out->reserve(start + encoded.size());
  size_t i = 0;
  while (i < encoded.size()) {
    // Copy the run up to the next escape in one go.
    size_t run_end = i;
    while (run_end < encoded.size() && encoded[run_end] != '%' &&
           encoded[run_end] != '+') {
      ++run_end;
    }
    out->append(encoded.data() + i, run_end - i);
    i = run_end;
    if (i == encoded.size()) break;
    if (encoded[i] == '+') {
      out->push_back(' ');
    } else {
      const bool complete = i + 2 < encoded.size();
      const int high = complete ? HexValue(encoded[i + 1]) : -1;
      const int low = complete ? HexValue(encoded[i + 2]) : -1;
      if (high < 0 || low < 0) {
        return absl::InvalidArgumentError("bad percent-escape");
      }
      out->push_back(static_cast<char>(high * 16 + low));
      i += 2;
    }
    ++i;
  }
  if (!IsValidUtf8(absl::string_view(*out).substr(start))) {
    return absl::InvalidArgumentError("percent-decoded text is not UTF-8");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> FormDecode(absl::string_view encoded) {
  std::string decoded;
  if (absl::Status status = AppendFormDecoded(encoded, &decoded);
      !status.ok()) {
    return status;
  }
  return decoded;
}

namespace {

// Decodes `encoded` into `scratch` and returns a view of the result, or of
// `encoded` itself when it holds nothing to decode (the common case).
absl::StatusOr<absl::string_view> Decoded(absl::string_view encoded,
                                          std::string* scratch) {
  if (encoded.find('%') == absl::string_view::npos &&
      encoded.find('+') == absl::string_view::npos) {
    if (!IsValidUtf8(encoded)) {
      return absl::InvalidArgumentError("percent-decoded text is not UTF-8");
    }
    return encoded;
  }
  scratch->clear();
  if (absl::Status status = AppendFormDecoded(encoded, scratch); !status.ok()) {
    return status;
  }
  return absl::string_view(*scratch);
}

}  // namespace

absl::Status ForEachQueryPair(
    absl::string_view query,
    absl::FunctionRef<absl::Status(absl::string_view key,
                                   absl::string_view value)>
        visit) {
  if (query.empty()) return absl::OkStatus();
  std::string key_scratch;
  std::string value_scratch;
  size_t start = 0;
  while (true) {
    size_t end = start;
    while (end < query.size() && query[end] != '&') ++end;
    const absl::string_view pair = query.substr(start, end - start);
    const size_t equals = pair.find('=');
    if (equals == absl::string_view::npos) {
      return absl::InvalidArgumentError("query pair without '='");
    }
    absl::StatusOr<absl::string_view> key =
        Decoded(pair.substr(0, equals), &key_scratch);
    if (!key.ok()) return key.status();
    if (key->empty()) return absl::InvalidArgumentError("empty query key");
    absl::StatusOr<absl::string_view> value =
        Decoded(pair.substr(equals + 1), &value_scratch);
    if (!value.ok()) return value.status();
    if (absl::Status status = visit(*key, *value); !status.ok()) return status;
    if (end == query.size()) return absl::OkStatus();
    start = end + 1;
  }
}

}  // namespace captoken::token
