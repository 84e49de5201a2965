#include "service/token/internal/url_encoding.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "service/token/internal/ascii_scan.h"
#include "service/token/internal/utf8.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace captoken::token::internal {
namespace {

constexpr char kUpperHex[] = "0123456789ABCDEF";

// What one input byte becomes: its text (1, 3 or 5 characters, padded to 8
// so that it can be copied as one word) and the text's length.
struct Escape {
  char text[8];
  uint8_t size;
  // 1 if the byte is written as it is (not a space written as '+').
  uint8_t kept;
};

using EscapeTable = std::array<Escape, 256>;

// The bytes an encoder copies unchanged: letters, digits and `extra`.
constexpr bool IsUnreserved(int c, const char* extra) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
      (c >= '0' && c <= '9')) {
    return true;
  }
  for (const char* e = extra; *e != '\0'; ++e) {
    if (c == static_cast<uint8_t>(*e)) return true;
  }
  return false;
}

// The table of an encoder that keeps letters, digits and `unreserved_marks`
// (and writes a space as '+' if `space_as_plus`), applied `times` (1 or 2)
// times: applying it twice keeps what it keeps, turns the '%' of every
// escape into "%25", and a '+' for a space into "%2B". Both profiles encode
// parameters twice (spec §2.3, §2.4), and doing it in one pass saves writing
// and rereading the inner encoding.
constexpr EscapeTable MakeEscapeTable(const char* unreserved_marks,
                                      bool space_as_plus, int times) {
  EscapeTable table{};
  for (int c = 0; c < 256; ++c) {
    Escape& escape = table[c];
    if (IsUnreserved(c, unreserved_marks)) {
      escape.text[0] = static_cast<char>(c);
      escape.size = 1;
      escape.kept = 1;
    } else if (space_as_plus && c == ' ' && times == 1) {
      escape.text[0] = '+';
      escape.size = 1;
    } else if (space_as_plus && c == ' ') {
      escape = Escape{{'%', '2', 'B'}, 3, 0};
    } else {
      size_t size = 0;
      escape.text[size++] = '%';
      if (times == 2) {
        escape.text[size++] = '2';
        escape.text[size++] = '5';
      }
      escape.text[size++] = kUpperHex[c >> 4];
      escape.text[size++] = kUpperHex[c & 0xF];
      escape.size = static_cast<uint8_t>(size);
    }
  }
  return table;
}

constexpr char kUriComponentMarks[] = "-_.!~*'()";
constexpr char kQuotePlusMarks[] = "_.-~";

// An encoder: its table, and which marks it keeps besides letters and
// digits (for AllKept's check, which must agree with the table).
struct Encoder {
  const EscapeTable& table;
  bool uri_component_marks;
};

#if defined(__SSE2__)
// 0xFF for each byte of `block` in [lo, hi] (unsigned).
inline __m128i InRange(__m128i block, char lo, char hi) {
  const __m128i offset = _mm_sub_epi8(block, _mm_set1_epi8(lo));
  return _mm_cmpeq_epi8(
      _mm_min_epu8(offset, _mm_set1_epi8(static_cast<char>(hi - lo))), offset);
}

// 0xFF for each byte of `block` an encoder keeps: letters (a byte OR 0x20 is
// a lowercase letter exactly when it is a letter of either case), digits,
// "-." and "_~", and for encodeURIComponent also "'()*" and "!".
inline __m128i KeptBytes(__m128i block, bool uri_component_marks) {
  __m128i kept =
      _mm_or_si128(InRange(_mm_or_si128(block, _mm_set1_epi8(0x20)), 'a', 'z'),
                   InRange(block, '0', '9'));
  kept = _mm_or_si128(kept, InRange(block, '-', '.'));
  kept = _mm_or_si128(kept,
                      _mm_or_si128(_mm_cmpeq_epi8(block, _mm_set1_epi8('_')),
                                   _mm_cmpeq_epi8(block, _mm_set1_epi8('~'))));
  if (uri_component_marks) {
    kept = _mm_or_si128(kept, InRange(block, '\'', '*'));
    kept = _mm_or_si128(kept, _mm_cmpeq_epi8(block, _mm_set1_epi8('!')));
  }
  return kept;
}
#endif

// Whether the encoder keeps every byte of `text` as it is: most values
// (SIDs, client names) have nothing to escape. From 4 bytes up the check is
// made 16 bytes at a time (NoByteStops, ascii_scan.h); below, or without
// SSE2, through the table.
bool AllKept(absl::string_view text, const Encoder& encoder) {
  return NoByteStops(
      text,
#if defined(__SSE2__)
      [&encoder](__m128i block) {
        return _mm_xor_si128(KeptBytes(block, encoder.uri_component_marks),
                             _mm_set1_epi8(-1));
      },
#else
      nullptr,
#endif
      [&encoder](uint8_t c) { return encoder.table[c].kept == 0; });
}

constexpr EscapeTable kUriComponentOnce =
    MakeEscapeTable(kUriComponentMarks, /*space_as_plus=*/false, 1);
constexpr EscapeTable kUriComponentTwice =
    MakeEscapeTable(kUriComponentMarks, /*space_as_plus=*/false, 2);
constexpr EscapeTable kQuotePlusOnce =
    MakeEscapeTable(kQuotePlusMarks, /*space_as_plus=*/true, 1);
constexpr EscapeTable kQuotePlusTwice =
    MakeEscapeTable(kQuotePlusMarks, /*space_as_plus=*/true, 2);

// Percent-encodes `text` onto `out` through `encoder`. This runs for every
// scope of every token. Text with nothing to escape is copied as it is.
// Otherwise the output's exact size is summed first, so `out` grows once;
// then each byte's escape is copied as a whole 8-byte word (no branch on its
// kind) and the write position advances by its size, which needs 7 spare
// bytes at the end, trimmed after.
void AppendEscaped(absl::string_view text, const Encoder& encoder,
                   std::string* out) {
  if (AllKept(text, encoder)) {
    out->append(text.data(), text.size());
    return;
  }
  const EscapeTable& table = encoder.table;
  size_t size = 0;
  for (char c : text) size += table[static_cast<uint8_t>(c)].size;
  const size_t start = out->size();
  out->resize(start + size + sizeof(Escape::text) - 1);
  char* dest = &(*out)[start];
  for (char c : text) {
    const Escape& escape = table[static_cast<uint8_t>(c)];
    std::memcpy(dest, escape.text, sizeof(escape.text));
    dest += escape.size;
  }
  out->resize(start + size);
}

}  // namespace

void AppendUriComponent(absl::string_view text, std::string* out) {
  AppendEscaped(text, {kUriComponentOnce, /*uri_component_marks=*/true}, out);
}

void AppendQuotePlus(absl::string_view text, std::string* out) {
  AppendEscaped(text, {kQuotePlusOnce, /*uri_component_marks=*/false}, out);
}

void AppendUriComponentTwice(absl::string_view text, std::string* out) {
  AppendEscaped(text, {kUriComponentTwice, /*uri_component_marks=*/true}, out);
}

void AppendQuotePlusTwice(absl::string_view text, std::string* out) {
  AppendEscaped(text, {kQuotePlusTwice, /*uri_component_marks=*/false}, out);
}

absl::Status AppendFormDecoded(absl::string_view encoded, std::string* out) {
  // Verifying decodes every value of every scope. Most have nothing to
  // decode (ASCII without '%' or '+'), and are copied in one call.
  size_t i = FormPlainRunLength(encoded);
  if (i == encoded.size()) {
    out->append(encoded.data(), encoded.size());
    return absl::OkStatus();
  }
  // The rest are decoded into space for the longest result (decoding never
  // lengthens), trimmed after: appending the encoded text makes that space
  // and copies the plain prefix in one call (a resize would first fill it
  // with zeros). Then byte by byte: in a scope's values the runs between
  // escapes are a few bytes, too short for a word-at-a-time scan to pay for
  // itself.
  const size_t start = out->size();
  out->append(encoded.data(), encoded.size());
  char* const begin = &(*out)[start];
  char* dest = begin + i;
  uint8_t all_bits = 0;  // Every decoded byte OR-ed: its top bit is non-ASCII.
  while (i < encoded.size()) {
    uint8_t byte = static_cast<uint8_t>(encoded[i]);
    if (byte == '%') {
      const bool complete = i + 2 < encoded.size();
      const int high = complete ? HexDigitValue(encoded[i + 1]) : -1;
      const int low = complete ? HexDigitValue(encoded[i + 2]) : -1;
      if (high < 0 || low < 0) {
        out->resize(start + static_cast<size_t>(dest - begin));
        return absl::InvalidArgumentError("bad percent-escape");
      }
      byte = static_cast<uint8_t>(high * 16 + low);
      i += 3;
    } else {
      if (byte == '+') byte = ' ';
      ++i;
    }
    *dest++ = static_cast<char>(byte);
    all_bits |= byte;
  }
  const size_t decoded_size = static_cast<size_t>(dest - begin);
  out->resize(start + decoded_size);
  // ASCII is UTF-8: only text with a byte of 0x80 or above needs the check.
  if ((all_bits & 0x80) != 0 &&
      !IsValidUtf8(absl::string_view(out->data() + start, decoded_size))) {
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

absl::StatusOr<absl::string_view> FormDecodeView(absl::string_view encoded,
                                                 std::string* scratch) {
  // ASCII without '%' or '+' decodes to itself (and is UTF-8); anything
  // else takes the decoder, which checks UTF-8 where it must.
  if (FormPlainRunLength(encoded) == encoded.size()) return encoded;
  scratch->clear();
  if (absl::Status status = AppendFormDecoded(encoded, scratch); !status.ok()) {
    return status;
  }
  return absl::string_view(*scratch);
}

bool RawQueryPairs::Next(absl::string_view* key, absl::string_view* value) {
  if (done_) return false;
  const size_t end = FindByte(rest_, '&');
  const absl::string_view pair = rest_.substr(0, end);
  if (end == absl::string_view::npos) {
    done_ = true;
  } else {
    rest_.remove_prefix(end + 1);
  }
  const size_t equals = FindByte(pair, '=');
  if (equals == absl::string_view::npos) {
    missing_equals_ = true;
    done_ = true;
    return false;
  }
  *key = pair.substr(0, equals);
  *value = pair.substr(equals + 1);
  return true;
}

absl::Status RawQueryPairs::status() const {
  return missing_equals_ ? absl::InvalidArgumentError("query pair without '='")
                         : absl::OkStatus();
}

absl::Status ForEachQueryPair(
    absl::string_view query,
    absl::FunctionRef<absl::Status(absl::string_view key,
                                   absl::string_view value)>
        visit) {
  std::string key_scratch;
  std::string value_scratch;
  RawQueryPairs pairs(query);
  absl::string_view raw_key, raw_value;
  while (pairs.Next(&raw_key, &raw_value)) {
    absl::StatusOr<absl::string_view> key =
        FormDecodeView(raw_key, &key_scratch);
    if (!key.ok()) return key.status();
    if (key->empty()) return absl::InvalidArgumentError("empty query key");
    absl::StatusOr<absl::string_view> value =
        FormDecodeView(raw_value, &value_scratch);
    if (!value.ok()) return value.status();
    if (absl::Status status = visit(*key, *value); !status.ok()) return status;
  }
  return pairs.status();
}

}  // namespace captoken::token::internal
