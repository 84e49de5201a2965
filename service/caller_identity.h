// File: caller_identity.h
// -----------------------------------------------------------------------------
//
// Who is calling. A caller's identity comes from one of two places:
//
//   * its TLS client certificate, when the server does mutual TLS: the
//     SPIFFE ID in the URI SAN (gRPC reports it only when the certificate
//     has exactly one), else the subject's common name;
//   * the x-forwarded-client-cert (XFCC) header a service-mesh sidecar adds
//     after terminating mutual TLS itself, trusted only when the config says
//     a sidecar does so and only on calls from a loopback peer (the sidecar
//     in the same pod). Anyone else could set the header.
//
// Example:
//
//   CallerIdentity caller = IdentityFromConnection(
//       *context->auth_context(), context->peer(), forwarded_header,
//       settings.trust_forwarded_client_cert);
//   if (caller.identity.empty()) ...  // UNAUTHENTICATED where required

#ifndef CAPTOKEN_SERVICE_CALLER_IDENTITY_H_
#define CAPTOKEN_SERVICE_CALLER_IDENTITY_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "grpcpp/security/auth_context.h"

namespace captoken::service {

struct CallerIdentity {
  // Empty when the caller presented none.
  std::string identity;
  // "tls_spiffe_id", "tls_common_name", "forwarded_client_cert" or "none".
  std::string source = "none";
};

// ForwardedClientCertIdentity reads the identity from an Envoy-style
// x-forwarded-client-cert value: elements separated by ',' (one per proxy;
// the last is the nearest), each a ';'-separated list of Key=Value with
// optionally quoted values. It returns the URI if it is a SPIFFE ID, else
// the CN of the Subject; nullopt if the value is malformed or names neither.
absl::optional<std::string> ForwardedClientCertIdentity(absl::string_view xfcc);

// IsLoopbackPeer reports whether a gRPC peer string ("ipv4:127.0.0.1:5555",
// "ipv6:[::1]:5555") is a loopback address.
bool IsLoopbackPeer(absl::string_view peer);

// IdentityFromConnection applies the rules above. `forwarded` is the XFCC
// header value (empty if absent); it is used only if `trust_forwarded` and
// `peer` is loopback, and only when the connection has no client
// certificate of its own.
CallerIdentity IdentityFromConnection(const grpc::AuthContext& auth_context,
                                      absl::string_view peer,
                                      absl::string_view forwarded,
                                      bool trust_forwarded);

}  // namespace captoken::service

#endif  // CAPTOKEN_SERVICE_CALLER_IDENTITY_H_
