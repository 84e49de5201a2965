// File: caller_identity.h
// -----------------------------------------------------------------------------
//
// Who is calling. A caller's identity comes from one of two places:
//
//   * its TLS client certificate, when the server does mutual TLS: the
//     SPIFFE ID in the URI SAN, else the subject's common name;
//   * the x-forwarded-client-cert (XFCC) header a service-mesh sidecar adds
//     after terminating mutual TLS itself, trusted only when the config says
//     a sidecar does so and only on calls from a loopback peer (the sidecar
//     in the same pod). Anyone else could set the header.
//
// Some presented identities are refused outright, whatever the caller
// policies say (CallerIdentity::rejection): they are ambiguous, or could be
// read as someone else by a pattern that matches on text.
//
//   * more than one XFCC header: the sidecar appends its element to the
//     last one, so which header holds it is not certain;
//   * a certificate (or forwarded element) with more than one URI SAN when
//     one of them is a SPIFFE ID: the SPIFFE X.509-SVID standard requires
//     exactly one, and gRPC then reports no SPIFFE ID at all, which would
//     make the identity fall back to the subject's common name;
//   * a SPIFFE ID that is not in the canonical form IsCanonicalSpiffeId
//     checks (`spiffe://example.org/ns/../admin` is not
//     `spiffe://example.org/admin` to a policy, but may be to a person).
//
// Example:
//
//   CallerIdentity caller = IdentityFromConnection(
//       *context->auth_context(), context->peer(), forwarded_headers,
//       settings.trust_forwarded_client_cert);
//   if (!caller.rejection.empty()) ...  // UNAUTHENTICATED, always
//   if (caller.identity.empty()) ...    // UNAUTHENTICATED where required

#ifndef CAPTOKEN_SERVICE_AUTHZ_CALLER_IDENTITY_H_
#define CAPTOKEN_SERVICE_AUTHZ_CALLER_IDENTITY_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "grpcpp/security/auth_context.h"

namespace captoken::authz {

// The reasons a presented identity is refused: fixed phrases, safe to send
// to the caller and to write in audit lines (they never quote the identity).
inline constexpr absl::string_view kSeveralForwardedHeaders =
    "more than one x-forwarded-client-cert header";
inline constexpr absl::string_view kSeveralUrisWithSpiffeId =
    "a client certificate with a SPIFFE ID must have exactly one URI SAN";
inline constexpr absl::string_view kNonCanonicalSpiffeId =
    "the SPIFFE ID is not in canonical form";

struct CallerIdentity {
  // Empty when the caller presented none, or one that is refused.
  std::string identity;
  // "tls_spiffe_id", "tls_common_name", "forwarded_client_cert" or "none":
  // where the identity (or the refused one) came from.
  std::string source = "none";
  // Empty, or one of the constants above: the caller presented an identity
  // that is refused whatever the policies say (even under open access).
  absl::string_view rejection;
};

// IsCanonicalSpiffeId reports whether `id` is a SPIFFE ID as the SPIFFE ID
// standard writes one: "spiffe://", a trust domain of [a-z0-9._-], then
// either nothing or "/"-separated path segments of [A-Za-z0-9._-], none
// empty, "." or "..", no trailing "/"; at most 2048 bytes, the trust domain
// at most 255.
bool IsCanonicalSpiffeId(absl::string_view id);

// ForwardedClientCertIdentity reads the identity from an Envoy-style
// x-forwarded-client-cert value: elements separated by ',' (one per proxy;
// the last is the nearest), each a ';'-separated list of Key=Value with
// optionally quoted values. The identity is the element's URI if it is a
// SPIFFE ID, else the CN of its Subject, with source
// "forwarded_client_cert"; none if the value is malformed or names neither.
// An element with a SPIFFE URI and another URI, or a SPIFFE URI that is not
// canonical, is a rejection.
CallerIdentity ForwardedClientCertIdentity(absl::string_view xfcc);

// IsLoopbackPeer reports whether a gRPC peer string ("ipv4:127.0.0.1:5555",
// "ipv6:[::1]:5555") is a loopback address.
bool IsLoopbackPeer(absl::string_view peer);

// IdentityFromConnection applies the rules above. `forwarded` holds the
// value of each XFCC header of the call, in order (none if absent); they
// are used only if `trust_forwarded` and `peer` is loopback, and only when
// the connection has no client certificate of its own.
CallerIdentity IdentityFromConnection(
    const grpc::AuthContext& auth_context, absl::string_view peer,
    absl::Span<const absl::string_view> forwarded, bool trust_forwarded);

}  // namespace captoken::authz

#endif  // CAPTOKEN_SERVICE_AUTHZ_CALLER_IDENTITY_H_
