// File: url_encoding.h
// -----------------------------------------------------------------------------
//
// The percent-encoders the two SDK profiles use for scope strings, and the
// one decoder that reads both.
//
//   node   encodeURIComponent (spec §2.2): every UTF-8 byte except
//          A-Z a-z 0-9 - _ . ! ~ * ' ( ) becomes %XX, uppercase hex; a
//          space is %20.
//   python urllib.parse.quote_plus (spec §2.4): every UTF-8 byte except
//          A-Z a-z 0-9 _ . - ~ becomes %XX, uppercase hex; a space is '+'.
//
// Neither encoder ever writes a literal '+' for anything but a space, so a
// form decoder ('+' is a space, %XX a byte) reads both. Both write only
// letters, digits, '%', '+' and the marks above: text JSON never escapes.
//
// Example:
//
//   std::string scope = "scope:client:incoming?clientName=";
//   AppendUriComponent(client_name, &scope);
//   CAPTOKEN_RETURN_IF_ERROR(ForEachQueryPair(
//       query, [&](absl::string_view key, absl::string_view value) {
//         ...
//       }));

#ifndef CAPTOKEN_SERVICE_TOKEN_INTERNAL_URL_ENCODING_H_
#define CAPTOKEN_SERVICE_TOKEN_INTERNAL_URL_ENCODING_H_

#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace captoken::token::internal {

// AppendUriComponent appends JavaScript's encodeURIComponent(`text`).
void AppendUriComponent(absl::string_view text, std::string* out);

// AppendQuotePlus appends Python's urllib.parse.quote_plus(`text`).
void AppendQuotePlus(absl::string_view text, std::string* out);

// AppendUriComponentTwice appends encodeURIComponent(encodeURIComponent(
// `text`)) and AppendQuotePlusTwice quote_plus(quote_plus(`text`)), in one
// pass: how both profiles write a parameter's key and value into a scope
// (spec §2.3, §2.4).
void AppendUriComponentTwice(absl::string_view text, std::string* out);
void AppendQuotePlusTwice(absl::string_view text, std::string* out);

// FormDecode reverses either encoder: '+' becomes a space and %XX (either
// case) the byte XX. The result must be valid UTF-8.
//
// Fails with INVALID_ARGUMENT on a '%' not followed by two hex digits or on
// a result that is not UTF-8.
absl::StatusOr<std::string> FormDecode(absl::string_view encoded);

// AppendFormDecoded is FormDecode appending to `out`. On failure `out` may
// hold part of the result.
absl::Status AppendFormDecoded(absl::string_view encoded, std::string* out);

// FormDecodeView is FormDecode without a copy when there is nothing to
// decode: it returns a view of `encoded` itself if that holds no '%' or '+'
// (after checking it is UTF-8), and otherwise decodes into `*scratch`,
// replacing its contents, and returns a view of it.
//
// Fails as FormDecode does.
absl::StatusOr<absl::string_view> FormDecodeView(absl::string_view encoded,
                                                 std::string* scratch);

// RawQueryPairs walks a query ("k=v&k2=v2") pair by pair, splitting on '&'
// and on the first '=' of each pair, without decoding anything: for callers
// that decode each side into storage of their own (ForEachQueryPair is the
// simpler interface). An empty query has no pairs.
//
//   RawQueryPairs pairs(query);
//   absl::string_view key, value;
//   while (pairs.Next(&key, &value)) { ... }
//   CAPTOKEN_RETURN_IF_ERROR(pairs.status());
class RawQueryPairs {
 public:
  // RawQueryPairs views `query`, which must outlive it.
  explicit RawQueryPairs(absl::string_view query)
      : rest_(query), done_(query.empty()) {}

  // Next sets `key` and `value` to the next pair's sides, as written, and
  // returns true; it returns false after the last pair, or at a pair without
  // '=' (status() then says so).
  bool Next(absl::string_view* key, absl::string_view* value);

  // status is INVALID_ARGUMENT if Next stopped at a pair without '='.
  absl::Status status() const;

 private:
  absl::string_view rest_;
  bool done_;
  bool missing_equals_ = false;
};

// ForEachQueryPair splits `query` ("k=v&k2=v2") on '&' and the first '=' of
// each pair, form-decodes both sides and calls `visit(key, value)` for each
// pair in order, stopping at the first error it returns. The views passed to
// `visit` are valid only during the call. An empty query has no pairs.
//
// Fails with INVALID_ARGUMENT on a pair without '=', an empty key, or an
// undecodable side, or with `visit`'s error.
absl::Status ForEachQueryPair(
    absl::string_view query,
    absl::FunctionRef<absl::Status(absl::string_view key,
                                   absl::string_view value)>
        visit);

}  // namespace captoken::token::internal

#endif  // CAPTOKEN_SERVICE_TOKEN_INTERNAL_URL_ENCODING_H_
