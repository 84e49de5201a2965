// File: json_text.h
// -----------------------------------------------------------------------------
//
// The wire contract carries JSON that a token holds verbatim (voice
// parameters, a playback grant, a TaskRouter filter's constraint) as text,
// because a google.protobuf.Struct is a map and would lose the member order
// the token keeps. JsonFromText reads such a field for the token library;
// JsonToText writes one back from a verified token's claims.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       token::JsonValue params,
//       JsonFromText("grants[0].voice.outgoing_application_params_json",
//                    voice.outgoing_application_params_json()));
//   out->set_grant_json(JsonToText(playback.grant));

#ifndef CAPTOKEN_SERVICE_CONVERT_JSON_TEXT_H_
#define CAPTOKEN_SERVICE_CONVERT_JSON_TEXT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/token/json_value.h"

namespace captoken::convert {

// JsonFromText parses `text` as one JSON value, keeping member order. Which
// values a token may carry (objects only, integers only, depth) is the
// token library's rule, checked when the spec is validated.
//
// Fails with INVALID_ARGUMENT "<field>: <problem>" if `text` is not JSON
// (the parser's fixed message, with a byte offset; never the text).
absl::StatusOr<token::JsonValue> JsonFromText(absl::string_view field,
                                              absl::string_view text);

// JsonToText writes `value` as compact JSON (JSON.stringify's spelling),
// members in order and numbers as the token wrote them.
std::string JsonToText(const token::JsonValue& value);

}  // namespace captoken::convert

#endif  // CAPTOKEN_SERVICE_CONVERT_JSON_TEXT_H_
