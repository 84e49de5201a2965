#include "service/caller_identity.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "grpc/grpc_security_constants.h"

namespace captoken::service {
namespace {

// Splits `text` on `separator` outside double quotes.
std::vector<absl::string_view> SplitOutsideQuotes(absl::string_view text,
                                                  char separator) {
  std::vector<absl::string_view> parts;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && quoted) {
      ++i;  // Skip the escaped character.
    } else if (text[i] == '"') {
      quoted = !quoted;
    } else if (text[i] == separator && !quoted) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

// Whether every quote `text` opens is closed (SplitOutsideQuotes's rules).
bool QuotesBalanced(absl::string_view text) {
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && quoted) {
      ++i;
    } else if (text[i] == '"') {
      quoted = !quoted;
    }
  }
  return !quoted;
}

std::string Unquote(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') {
    return std::string(value);
  }
  std::string unquoted;
  for (size_t i = 1; i + 1 < value.size(); ++i) {
    if (value[i] == '\\' && i + 2 < value.size()) ++i;
    unquoted.push_back(value[i]);
  }
  return unquoted;
}

// The CN of an RFC 2253 subject such as "CN=frontend,OU=web,O=Example".
absl::optional<std::string> CommonName(absl::string_view subject) {
  for (absl::string_view part : SplitOutsideQuotes(subject, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::StartsWithIgnoreCase(part, "CN=")) {
      std::string name = Unquote(part.substr(3));
      if (!name.empty()) return name;
    }
  }
  return absl::nullopt;
}

std::string FirstProperty(const grpc::AuthContext& context, const char* name) {
  std::vector<grpc::string_ref> values = context.FindPropertyValues(name);
  if (values.empty()) return "";
  return std::string(values.front().data(), values.front().size());
}

}  // namespace

absl::optional<std::string> ForwardedClientCertIdentity(
    absl::string_view xfcc) {
  // An open quote would hide the separators after it: a client could then
  // make the element its sidecar appends part of its own.
  if (xfcc.empty() || !QuotesBalanced(xfcc)) return absl::nullopt;
  // The element the nearest proxy (our sidecar) appended is the last.
  const std::vector<absl::string_view> elements = SplitOutsideQuotes(xfcc, ',');
  std::string uri;
  std::string subject;
  for (absl::string_view pair : SplitOutsideQuotes(elements.back(), ';')) {
    const size_t equals = pair.find('=');
    if (equals == absl::string_view::npos) return absl::nullopt;
    const absl::string_view key =
        absl::StripAsciiWhitespace(pair.substr(0, equals));
    if (absl::EqualsIgnoreCase(key, "URI")) {
      uri = Unquote(pair.substr(equals + 1));
    } else if (absl::EqualsIgnoreCase(key, "Subject")) {
      subject = Unquote(pair.substr(equals + 1));
    }
  }
  if (absl::StartsWith(uri, "spiffe://")) return uri;
  if (!subject.empty()) return CommonName(subject);
  return absl::nullopt;
}

bool IsLoopbackPeer(absl::string_view peer) {
  return absl::StartsWith(peer, "ipv4:127.") ||
         absl::StartsWith(peer, "ipv6:[::1]") ||
         absl::StartsWith(peer, "ipv6:[::ffff:127.");
}

CallerIdentity IdentityFromConnection(const grpc::AuthContext& auth_context,
                                      absl::string_view peer,
                                      absl::string_view forwarded,
                                      bool trust_forwarded) {
  CallerIdentity caller;
  if (auth_context.IsPeerAuthenticated()) {
    std::string spiffe_id =
        FirstProperty(auth_context, GRPC_PEER_SPIFFE_ID_PROPERTY_NAME);
    if (!spiffe_id.empty()) {
      caller.identity = std::move(spiffe_id);
      caller.source = "tls_spiffe_id";
      return caller;
    }
    std::string common_name =
        FirstProperty(auth_context, GRPC_X509_CN_PROPERTY_NAME);
    if (!common_name.empty()) {
      caller.identity = std::move(common_name);
      caller.source = "tls_common_name";
      return caller;
    }
    // A certificate of its own that names nobody: never fall back to the
    // header.
    return caller;
  }
  if (trust_forwarded && IsLoopbackPeer(peer)) {
    absl::optional<std::string> forwarded_identity =
        ForwardedClientCertIdentity(forwarded);
    if (forwarded_identity.has_value()) {
      caller.identity = *std::move(forwarded_identity);
      caller.source = "forwarded_client_cert";
    }
  }
  return caller;
}

}  // namespace captoken::service
