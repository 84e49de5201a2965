// File: kind_names.h
// -----------------------------------------------------------------------------
//
// The names the server gives token kinds and grant kinds in metrics labels,
// audit lines and PERMISSION_DENIED messages. They are fixed and low
// cardinality, and never carry a caller's data.
//
//   token kinds   "capability", "taskrouter", "access"
//   grant kinds   "voice", "chat", "video", "sync", "task_router", "playback"
//
// Grant kinds are named as the request's fields are (AccessGrant's oneof),
// not by their keys in the token ("data_sync", "player").
//
// Example:
//
//   metrics->RecordMint(KindLabel(token::TokenKind::kAccessToken), profile);

#ifndef CAPTOKEN_SERVICE_CONVERT_KIND_NAMES_H_
#define CAPTOKEN_SERVICE_CONVERT_KIND_NAMES_H_

#include "absl/strings/string_view.h"
#include "captoken/v1/config.pb.h"
#include "service/token/token_kind.h"

namespace captoken::convert {

// KindLabel returns "capability", "taskrouter" or "access".
absl::string_view KindLabel(token::TokenKind kind);

// GrantKindLabel returns "voice", "chat", ... for a GrantKind, and
// "unspecified" for any other value.
absl::string_view GrantKindLabel(v1::GrantKind kind);

}  // namespace captoken::convert

#endif  // CAPTOKEN_SERVICE_CONVERT_KIND_NAMES_H_
