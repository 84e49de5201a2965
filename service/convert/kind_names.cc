#include "service/convert/kind_names.h"

namespace captoken::convert {

absl::string_view KindLabel(token::TokenKind kind) {
  switch (kind) {
    case token::TokenKind::kCapability:
      return "capability";
    case token::TokenKind::kTaskRouter:
      return "taskrouter";
    case token::TokenKind::kAccessToken:
      return "access";
  }
  return "unknown";
}

absl::string_view GrantKindLabel(v1::GrantKind kind) {
  switch (kind) {
    case v1::GRANT_KIND_VOICE:
      return "voice";
    case v1::GRANT_KIND_CHAT:
      return "chat";
    case v1::GRANT_KIND_VIDEO:
      return "video";
    case v1::GRANT_KIND_SYNC:
      return "sync";
    case v1::GRANT_KIND_TASK_ROUTER:
      return "task_router";
    case v1::GRANT_KIND_PLAYBACK:
      return "playback";
    default:
      return "unspecified";
  }
}

}  // namespace captoken::convert
