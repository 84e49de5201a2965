#include "service/authz/caller_identity.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/types/optional.h"
#include "grpc/grpc_security_constants.h"

namespace captoken::authz {
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

// Whether `uri`'s scheme is "spiffe", in any case (URI schemes are
// case-insensitive), so that "SPIFFE://..." cannot slip past as "not a
// SPIFFE ID" and fall back to another identity.
bool HasSpiffeScheme(absl::string_view uri) {
  return absl::StartsWithIgnoreCase(uri, "spiffe:");
}

// The identity a SPIFFE URI gives: itself if canonical, else a rejection.
CallerIdentity FromSpiffeId(std::string id, absl::string_view source) {
  CallerIdentity caller;
  caller.source = std::string(source);
  if (IsCanonicalSpiffeId(id)) {
    caller.identity = std::move(id);
  } else {
    caller.rejection = kNonCanonicalSpiffeId;
  }
  return caller;
}

bool IsTrustDomainChar(char c) {
  return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '.' ||
         c == '_' || c == '-';
}

bool IsPathChar(char c) {
  return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-';
}

}  // namespace

bool IsCanonicalSpiffeId(absl::string_view id) {
  constexpr size_t kMaxIdBytes = 2048;
  constexpr size_t kMaxTrustDomainBytes = 255;
  if (id.size() > kMaxIdBytes || !absl::ConsumePrefix(&id, "spiffe://")) {
    return false;
  }
  const size_t slash = id.find('/');
  const absl::string_view trust_domain = id.substr(0, slash);
  if (trust_domain.empty() || trust_domain.size() > kMaxTrustDomainBytes ||
      !std::all_of(trust_domain.begin(), trust_domain.end(),
                   IsTrustDomainChar)) {
    return false;
  }
  if (slash == absl::string_view::npos) return true;  // No path.
  // Each segment after a '/': an empty one is "//" or a trailing '/'.
  for (absl::string_view segment : absl::StrSplit(id.substr(slash + 1), '/')) {
    if (segment.empty() || segment == "." || segment == ".." ||
        !std::all_of(segment.begin(), segment.end(), IsPathChar)) {
      return false;
    }
  }
  return true;
}

CallerIdentity ForwardedClientCertIdentity(absl::string_view xfcc) {
  CallerIdentity nobody;
  // An open quote would hide the separators after it: a client could then
  // make the element its sidecar appends part of its own.
  if (xfcc.empty() || !QuotesBalanced(xfcc)) return nobody;
  // The element the nearest proxy (our sidecar) appended is the last.
  const std::vector<absl::string_view> elements = SplitOutsideQuotes(xfcc, ',');
  std::vector<std::string> uris;
  std::string subject;
  for (absl::string_view pair : SplitOutsideQuotes(elements.back(), ';')) {
    const size_t equals = pair.find('=');
    if (equals == absl::string_view::npos) return nobody;
    const absl::string_view key =
        absl::StripAsciiWhitespace(pair.substr(0, equals));
    if (absl::EqualsIgnoreCase(key, "URI")) {
      uris.push_back(Unquote(pair.substr(equals + 1)));
    } else if (absl::EqualsIgnoreCase(key, "Subject")) {
      subject = Unquote(pair.substr(equals + 1));
    }
  }
  // The certificate's rules hold for the one the sidecar describes.
  if (std::any_of(uris.begin(), uris.end(), HasSpiffeScheme)) {
    if (uris.size() > 1) {
      CallerIdentity refused;
      refused.source = "forwarded_client_cert";
      refused.rejection = kSeveralUrisWithSpiffeId;
      return refused;
    }
    return FromSpiffeId(std::move(uris.front()), "forwarded_client_cert");
  }
  if (!subject.empty()) {
    if (absl::optional<std::string> name = CommonName(subject)) {
      CallerIdentity caller;
      caller.identity = *std::move(name);
      caller.source = "forwarded_client_cert";
      return caller;
    }
  }
  return nobody;
}

bool IsLoopbackPeer(absl::string_view peer) {
  return absl::StartsWith(peer, "ipv4:127.") ||
         absl::StartsWith(peer, "ipv6:[::1]") ||
         absl::StartsWith(peer, "ipv6:[::ffff:127.");
}

CallerIdentity IdentityFromConnection(
    const grpc::AuthContext& auth_context, absl::string_view peer,
    absl::Span<const absl::string_view> forwarded, bool trust_forwarded) {
  CallerIdentity caller;
  if (auth_context.IsPeerAuthenticated()) {
    // gRPC reports every URI SAN, but a SPIFFE ID only when the certificate
    // has exactly one URI SAN. A SPIFFE ID among several must not fall
    // through to the common name: the SPIFFE standard allows only one.
    const std::vector<grpc::string_ref> uris =
        auth_context.FindPropertyValues(GRPC_PEER_URI_PROPERTY_NAME);
    const bool any_spiffe =
        std::any_of(uris.begin(), uris.end(), [](grpc::string_ref uri) {
          return HasSpiffeScheme(absl::string_view(uri.data(), uri.size()));
        });
    if (any_spiffe && uris.size() > 1) {
      caller.source = "tls_spiffe_id";
      caller.rejection = kSeveralUrisWithSpiffeId;
      return caller;
    }
    std::string spiffe_id =
        FirstProperty(auth_context, GRPC_PEER_SPIFFE_ID_PROPERTY_NAME);
    // A lone SPIFFE-scheme URI gRPC did not accept as a SPIFFE ID is still
    // one, to be checked as such rather than passed over.
    if (spiffe_id.empty() && any_spiffe) {
      spiffe_id = std::string(uris.front().data(), uris.front().size());
    }
    if (!spiffe_id.empty()) {
      return FromSpiffeId(std::move(spiffe_id), "tls_spiffe_id");
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
  if (trust_forwarded && IsLoopbackPeer(peer) && !forwarded.empty()) {
    // The sidecar appends its element to the header it received; with
    // several headers, which one it appended to (and so which element is
    // its own) is not certain.
    if (forwarded.size() > 1) {
      caller.source = "forwarded_client_cert";
      caller.rejection = kSeveralForwardedHeaders;
      return caller;
    }
    return ForwardedClientCertIdentity(forwarded.front());
  }
  return caller;
}

}  // namespace captoken::authz
