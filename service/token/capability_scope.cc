#include "service/token/capability_scope.h"

namespace captoken::token {

absl::string_view ScopeKindName(const CapabilityScope& scope) {
  switch (scope.index()) {
    case 0:
      return "client_incoming";
    case 1:
      return "client_outgoing";
    default:
      return "event_stream";
  }
}

std::ostream& operator<<(std::ostream& os, const CapabilityScope& scope) {
  return os << ScopeKindName(scope);
}

}  // namespace captoken::token
