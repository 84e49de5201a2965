#include "service/token/access_grant.h"

namespace captoken::token {

absl::string_view GrantKey(const AccessGrant& grant) {
  switch (grant.index()) {
    case 0:
      return "voice";
    case 1:
      return "chat";
    case 2:
      return "video";
    case 3:
      return "data_sync";
    case 4:
      return "task_router";
    default:
      return "player";
  }
}

std::ostream& operator<<(std::ostream& os, const AccessGrant& grant) {
  return os << GrantKey(grant);
}

}  // namespace captoken::token
