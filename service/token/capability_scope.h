// File: capability_scope.h
// -----------------------------------------------------------------------------
//
// The three capabilities a Twilio Client capability token can grant. The
// SDK profiles whose bytes a token can reproduce are in profile.h, which this
// header includes for its users.
//
// Example:
//
//   std::vector<CapabilityScope> scopes = {
//       ClientIncomingScope{"alice"},
//       ClientOutgoingScope{"AP...", {{"To", "+15551234567"}}},
//   };

#ifndef CAPTOKEN_SERVICE_TOKEN_CAPABILITY_SCOPE_H_
#define CAPTOKEN_SERVICE_TOKEN_CAPABILITY_SCOPE_H_

#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"
#include "service/token/profile.h"  // IWYU pragma: export

namespace captoken::token {

// Param is one key/value pair. Parameters are kept in a vector, never a
// map, because their order is part of the token's bytes.
struct Param {
  std::string key;
  std::string value;

  friend bool operator==(const Param& a, const Param& b) {
    return a.key == b.key && a.value == b.value;
  }
};

// ClientIncomingScope: receive calls addressed to `client_name`.
struct ClientIncomingScope {
  std::string client_name;

  friend bool operator==(const ClientIncomingScope& a,
                         const ClientIncomingScope& b) {
    return a.client_name == b.client_name;
  }
};

// ClientOutgoingScope: place calls through the TwiML application
// `application_sid`, which receives `params`. `client_name` is optional
// (empty means absent).
struct ClientOutgoingScope {
  std::string application_sid;
  std::vector<Param> params;
  std::string client_name;

  friend bool operator==(const ClientOutgoingScope& a,
                         const ClientOutgoingScope& b) {
    return a.application_sid == b.application_sid && a.params == b.params &&
           a.client_name == b.client_name;
  }
};

// EventStreamScope: subscribe to the account's event stream with `filters`.
struct EventStreamScope {
  std::vector<Param> filters;

  friend bool operator==(const EventStreamScope& a, const EventStreamScope& b) {
    return a.filters == b.filters;
  }
};

using CapabilityScope =
    std::variant<ClientIncomingScope, ClientOutgoingScope, EventStreamScope>;

// ScopeKindName returns "client_incoming", "client_outgoing" or
// "event_stream": the names the API and the audit log use.
absl::string_view ScopeKindName(const CapabilityScope& scope);

// For test failure messages: prints the scope's kind only, since client
// names and parameters are the caller's data.
std::ostream& operator<<(std::ostream& os, const CapabilityScope& scope);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_CAPABILITY_SCOPE_H_
