// Tests for caller_identity.h: the identity in an Envoy x-forwarded-client-cert
// value (a SPIFFE URI, else the subject's CN, of the last element), which
// peers are loopback, and which source IdentityFromConnection believes: the
// connection's own certificate first, the sidecar's header only when trusted,
// from loopback, and when the connection has no certificate of its own; and
// which presented identities are refused outright: several XFCC headers, a
// SPIFFE ID among several URI SANs, a SPIFFE ID not in canonical form.

#include "service/authz/caller_identity.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/auth_context.h"
#include "gtest/gtest.h"

namespace captoken::authz {
namespace {

constexpr char kFrontend[] = "spiffe://example.org/ns/web/sa/frontend";
constexpr char kSidecar[] = "spiffe://example.org/ns/captoken/sa/server";
constexpr char kLoopbackPeer[] = "ipv4:127.0.0.1:40000";
constexpr char kRemotePeer[] = "ipv4:10.0.0.7:40000";
// What an Envoy sidecar sets for kFrontend's certificate.
constexpr char kFrontendXfcc[] =
    "By=spiffe://example.org/ns/captoken/sa/server;"
    "Hash=468ed33be74eee6556d90c0149c1309e9ba61d6425303443c0748a02dd8de688;"
    "Subject=\"CN=frontend,OU=web,O=Example\";"
    "URI=spiffe://example.org/ns/web/sa/frontend";

// ---- ForwardedClientCertIdentity -----------------------------------------

constexpr char kNobody[] = "<nobody>";

// The identity ForwardedClientCertIdentity finds, or kNobody.
std::string Named(absl::string_view xfcc) {
  const CallerIdentity caller = ForwardedClientCertIdentity(xfcc);
  EXPECT_EQ(caller.source, caller.identity.empty() && caller.rejection.empty()
                               ? "none"
                               : "forwarded_client_cert")
      << xfcc;
  return caller.identity.empty() ? kNobody : caller.identity;
}

// Why ForwardedClientCertIdentity refuses `xfcc` ("" if it does not).
std::string Refusal(absl::string_view xfcc) {
  const CallerIdentity caller = ForwardedClientCertIdentity(xfcc);
  if (!caller.rejection.empty()) {
    EXPECT_EQ(caller.identity, "") << xfcc;
  }
  return std::string(caller.rejection);
}

TEST(ForwardedClientCertIdentity, SpiffeUriWinsOverTheSubject) {
  EXPECT_EQ(Named(kFrontendXfcc), kFrontend);
  // Whatever the order of the pairs.
  EXPECT_EQ(Named("URI=spiffe://example.org/ns/web/sa/frontend;"
                  "Subject=\"CN=frontend\""),
            kFrontend);
}

TEST(ForwardedClientCertIdentity, SubjectWithoutUriGivesItsCommonName) {
  EXPECT_EQ(Named("Hash=abc;Subject=\"CN=foo,OU=bar\""), "foo");
}

TEST(ForwardedClientCertIdentity, CommonNameNeedNotComeFirst) {
  EXPECT_EQ(Named("Subject=\"OU=bar,CN=foo,O=Example\""), "foo");
}

TEST(ForwardedClientCertIdentity, NonSpiffeUriWithASubjectGivesTheCommonName) {
  EXPECT_EQ(Named("Subject=\"CN=foo,OU=bar\";URI=https://client.example.org"),
            "foo");
}

TEST(ForwardedClientCertIdentity, NonSpiffeUriAloneNamesNobody) {
  EXPECT_EQ(Named("URI=https://client.example.org"), kNobody);
}

TEST(ForwardedClientCertIdentity, QuotedValueMayHoldEscapedQuotesAndCommas) {
  // The CN is itself quoted (RFC 2253) because it holds a comma; the whole
  // subject is quoted for XFCC, so its inner quotes are escaped.
  EXPECT_EQ(Named("Hash=abc;Subject=\"CN=\\\"Doe, Jane\\\",OU=web\""),
            "Doe, Jane");
  // A quote is no SPIFFE ID character: unquoted, the URI is refused.
  EXPECT_EQ(Refusal("URI=\"spiffe://example.org/a\\\"b\";Subject=\"CN=x\""),
            kNonCanonicalSpiffeId);
}

TEST(ForwardedClientCertIdentity, SeparatorsInsideQuotesDoNotSplit) {
  // A quoted ',' must not start a new element (which would then be "the
  // last"), nor a quoted ';' a new pair.
  EXPECT_EQ(Named("By=\"spiffe://example.org/x,URI=spiffe://evil\";"
                  "URI=spiffe://example.org/ns/web/sa/frontend"),
            kFrontend);
  EXPECT_EQ(Named("URI=spiffe://example.org/ns/web/sa/frontend;"
                  "Subject=\"CN=foo;URI=spiffe://evil\""),
            kFrontend);
}

TEST(ForwardedClientCertIdentity, LastElementIsUsed) {
  EXPECT_EQ(
      Named("URI=spiffe://example.org/first,URI=spiffe://example.org/last"),
      "spiffe://example.org/last");
  // The last element decides even when an earlier one has a URI.
  EXPECT_EQ(Named("URI=spiffe://example.org/first;Subject=\"CN=first\","
                  "Hash=abc;Subject=\"CN=last,OU=x\""),
            "last");
  // An earlier element's identity is never borrowed.
  EXPECT_EQ(Named("URI=spiffe://example.org/first,Hash=abc;By=spiffe://proxy"),
            kNobody);
}

TEST(ForwardedClientCertIdentity, ByAndHashAreIgnored) {
  EXPECT_EQ(Named("By=spiffe://example.org/ns/captoken/sa/server;Hash=abc"),
            kNobody);
  EXPECT_EQ(Named("By=spiffe://example.org/proxy;Hash=\"CN=hash\";"
                  "Subject=\"CN=foo\""),
            "foo");
}

TEST(ForwardedClientCertIdentity, MalformedValuesNameNobody) {
  for (const char* xfcc : {
           "",
           "URI",
           "garbage",
           "URI=spiffe://example.org/a;garbage",
           "garbage;URI=spiffe://example.org/a",
           ";URI=spiffe://example.org/a",
           "URI=spiffe://example.org/a;",
           "URI=spiffe://example.org/a,",
       }) {
    EXPECT_EQ(Named(xfcc), kNobody) << xfcc;
  }
}

TEST(ForwardedClientCertIdentity, UnterminatedQuoteIsMalformed) {
  for (const char* xfcc : {
           "URI=\"spiffe://example.org/a",
           "URI=spiffe://example.org/a;Subject=\"CN=foo",
           "URI=spiffe://example.org/a;Hash=\"",
           "URI=spiffe://example.org/a;Subject=\"CN=foo\\\"",
       }) {
    EXPECT_EQ(Named(xfcc), kNobody) << xfcc;
  }
}

TEST(ForwardedClientCertIdentity, ClientsQuoteCannotSwallowTheSidecarsElement) {
  // A sidecar that appends to a header the client sent (Envoy's
  // APPEND_FORWARD) puts its own element last. A client that leaves a quote
  // open must not turn that element into part of its own.
  const std::string forged =
      "URI=spiffe://example.org/ns/admin/sa/root;Hash=\"";
  for (const char* sidecar_element :
       {kFrontendXfcc,
        "By=spiffe://example.org/ns/captoken/sa/server;Hash=abc;"
        "URI=spiffe://example.org/ns/web/sa/frontend"}) {
    const std::string appended = forged + "," + sidecar_element;
    EXPECT_EQ(Named(appended), kNobody) << appended;
  }
}

TEST(ForwardedClientCertIdentity, SubjectWithoutCommonNameNamesNobody) {
  for (const char* xfcc : {
           "Hash=abc;Subject=\"OU=bar,O=Example\"",
           "Hash=abc",
           "Subject=\"CN=\"",
           "Subject=\"\"",
           "Subject=\"OU=CN=foo\"",
       }) {
    EXPECT_EQ(Named(xfcc), kNobody) << xfcc;
  }
}

// ---- IsLoopbackPeer --------------------------------------------------------

TEST(IsLoopbackPeer, LoopbackPeers) {
  for (const char* peer : {"ipv4:127.0.0.1:1", "ipv4:127.9.9.9:1",
                           "ipv6:[::1]:1", "ipv6:[::ffff:127.0.0.1]:1"}) {
    EXPECT_TRUE(IsLoopbackPeer(peer)) << peer;
  }
}

TEST(IsLoopbackPeer, OtherPeers) {
  for (const char* peer :
       {"ipv4:10.0.0.1:1", "ipv4:128.0.0.1:1", "ipv6:[::2]:1", "ipv6:[::10]:1",
        "ipv6:[::ffff:10.0.0.1]:1", "unix:/x", "", "127.0.0.1:1",
        "ipv4:1.127.0.0:1"}) {
    EXPECT_FALSE(IsLoopbackPeer(peer)) << peer;
  }
}

// ---- IdentityFromConnection ------------------------------------------------

// An AuthContext holding whatever properties a test gives it. Authenticated
// means the transport verified a client certificate, as gRPC's TLS reports.
class FakeAuthContext final : public grpc::AuthContext {
 public:
  explicit FakeAuthContext(bool authenticated)
      : authenticated_(authenticated) {}

  FakeAuthContext& With(const std::string& name, const std::string& value) {
    properties_.emplace_back(name, value);
    return *this;
  }

  bool IsPeerAuthenticated() const override { return authenticated_; }
  std::vector<grpc::string_ref> GetPeerIdentity() const override {
    return FindPropertyValues(identity_property_);
  }
  std::string GetPeerIdentityPropertyName() const override {
    return identity_property_;
  }
  std::vector<grpc::string_ref> FindPropertyValues(
      const std::string& name) const override {
    std::vector<grpc::string_ref> values;
    for (const auto& [key, value] : properties_) {
      if (key == name) values.emplace_back(value);
    }
    return values;
  }
  grpc::AuthPropertyIterator begin() const override { return EmptyIterator(); }
  grpc::AuthPropertyIterator end() const override { return EmptyIterator(); }
  void AddProperty(const std::string& key,
                   const grpc::string_ref& value) override {
    properties_.emplace_back(key, std::string(value.data(), value.size()));
  }
  bool SetPeerIdentityPropertyName(const std::string& name) override {
    identity_property_ = name;
    return true;
  }

 private:
  // AuthPropertyIterator's default constructor (an empty range) is
  // protected.
  class EmptyIterator : public grpc::AuthPropertyIterator {};

  bool authenticated_;
  std::string identity_property_ = GRPC_X509_CN_PROPERTY_NAME;
  std::vector<std::pair<std::string, std::string>> properties_;
};

TEST(IdentityFromConnection, SpiffeIdIsPreferredOverTheCommonName) {
  FakeAuthContext context(/*authenticated=*/true);
  context.With(GRPC_X509_CN_PROPERTY_NAME, "frontend")
      .With(GRPC_PEER_SPIFFE_ID_PROPERTY_NAME, kFrontend);
  const CallerIdentity caller =
      IdentityFromConnection(context, kRemotePeer, {}, false);
  EXPECT_EQ(caller.identity, kFrontend);
  EXPECT_EQ(caller.source, "tls_spiffe_id");
}

TEST(IdentityFromConnection, CommonNameIsUsedWithoutASpiffeId) {
  FakeAuthContext context(/*authenticated=*/true);
  context.With(GRPC_X509_CN_PROPERTY_NAME, "frontend");
  const CallerIdentity caller =
      IdentityFromConnection(context, kRemotePeer, {}, false);
  EXPECT_EQ(caller.identity, "frontend");
  EXPECT_EQ(caller.source, "tls_common_name");
}

TEST(IdentityFromConnection, UnauthenticatedPropertiesAreNotBelieved) {
  FakeAuthContext context(/*authenticated=*/false);
  context.With(GRPC_X509_CN_PROPERTY_NAME, "frontend")
      .With(GRPC_PEER_SPIFFE_ID_PROPERTY_NAME, kFrontend);
  const CallerIdentity caller =
      IdentityFromConnection(context, kRemotePeer, {}, false);
  EXPECT_EQ(caller.identity, "");
  EXPECT_EQ(caller.source, "none");
}

TEST(IdentityFromConnection, NoCertificateAndNoHeaderIsAnonymous) {
  FakeAuthContext context(/*authenticated=*/false);
  const CallerIdentity caller =
      IdentityFromConnection(context, kLoopbackPeer, {}, true);
  EXPECT_EQ(caller.identity, "");
  EXPECT_EQ(caller.source, "none");
}

TEST(IdentityFromConnection, TrustedHeaderFromLoopbackNamesTheCaller) {
  FakeAuthContext context(/*authenticated=*/false);
  for (const char* peer : {kLoopbackPeer, "ipv6:[::1]:40000"}) {
    const CallerIdentity caller =
        IdentityFromConnection(context, peer, {kFrontendXfcc}, true);
    EXPECT_EQ(caller.identity, kFrontend) << peer;
    EXPECT_EQ(caller.source, "forwarded_client_cert") << peer;
  }
}

TEST(IdentityFromConnection, MalformedTrustedHeaderIsAnonymous) {
  FakeAuthContext context(/*authenticated=*/false);
  const CallerIdentity caller =
      IdentityFromConnection(context, kLoopbackPeer, {"garbage"}, true);
  EXPECT_EQ(caller.identity, "");
  EXPECT_EQ(caller.source, "none");
}

TEST(IdentityFromConnection, HeaderIsIgnoredWhenNotTrusted) {
  FakeAuthContext context(/*authenticated=*/false);
  const CallerIdentity caller =
      IdentityFromConnection(context, kLoopbackPeer, {kFrontendXfcc}, false);
  EXPECT_EQ(caller.identity, "");
  EXPECT_EQ(caller.source, "none");
}

TEST(IdentityFromConnection, HeaderIsIgnoredFromANonLoopbackPeer) {
  FakeAuthContext context(/*authenticated=*/false);
  for (const char* peer :
       {kRemotePeer, "ipv6:[2001:db8::1]:40000", "unix:/x", ""}) {
    const CallerIdentity caller =
        IdentityFromConnection(context, peer, {kFrontendXfcc}, true);
    EXPECT_EQ(caller.identity, "") << peer;
    EXPECT_EQ(caller.source, "none") << peer;
  }
}

TEST(IdentityFromConnection, HeaderIsIgnoredWhenThePeerHasItsOwnIdentity) {
  FakeAuthContext spiffe(/*authenticated=*/true);
  spiffe.With(GRPC_PEER_SPIFFE_ID_PROPERTY_NAME, kSidecar);
  CallerIdentity caller =
      IdentityFromConnection(spiffe, kLoopbackPeer, {kFrontendXfcc}, true);
  EXPECT_EQ(caller.identity, kSidecar);
  EXPECT_EQ(caller.source, "tls_spiffe_id");

  FakeAuthContext common_name(/*authenticated=*/true);
  common_name.With(GRPC_X509_CN_PROPERTY_NAME, "sidecar");
  caller =
      IdentityFromConnection(common_name, kLoopbackPeer, {kFrontendXfcc}, true);
  EXPECT_EQ(caller.identity, "sidecar");
  EXPECT_EQ(caller.source, "tls_common_name");
}

TEST(IdentityFromConnection, HeaderIsIgnoredWhenThePeerHasACertificate) {
  // A verified client certificate that names nobody we can use (several URI
  // SANs and no CN): the connection has a certificate of its own, so the
  // header is not consulted.
  FakeAuthContext context(/*authenticated=*/true);
  context.With("x509_subject_alternative_name", "spiffe://example.org/a")
      .With("x509_subject_alternative_name", "spiffe://example.org/b");
  context.SetPeerIdentityPropertyName("x509_subject_alternative_name");
  const CallerIdentity caller =
      IdentityFromConnection(context, kLoopbackPeer, {kFrontendXfcc}, true);
  EXPECT_EQ(caller.identity, "");
  EXPECT_EQ(caller.source, "none");
}

// ---- Identities refused outright -------------------------------------------

TEST(IsCanonicalSpiffeId, AcceptsTheStandardsForm) {
  for (const std::string& id :
       {std::string(kFrontend), std::string("spiffe://example.org"),
        std::string("spiffe://a-b_c.9/A.b-C_9/x"),
        std::string("spiffe://example.org/...") /* "..." is a name */,
        absl::StrCat("spiffe://", std::string(255, 'a'), "/x"),
        absl::StrCat("spiffe://example.org/", std::string(2048 - 21, 'a'))}) {
    EXPECT_TRUE(IsCanonicalSpiffeId(id)) << id;
  }
}

TEST(IsCanonicalSpiffeId, RefusesEverythingElse) {
  for (const std::string& id : {
           // Paths that are not normalised.
           std::string("spiffe://example.org/"),
           std::string("spiffe://example.org/ns/web/"),
           std::string("spiffe://example.org//ns/web"),
           std::string("spiffe://example.org/ns//web"),
           std::string("spiffe://example.org/ns/../admin"),
           std::string("spiffe://example.org/ns/web/.."),
           std::string("spiffe://example.org/./ns/web"),
           std::string("spiffe://example.org/ns/."),
           // Characters outside [A-Za-z0-9._-] in the path.
           std::string("spiffe://example.org/ns/we%62"),
           std::string("spiffe://example.org/ns/web sa"),
           std::string("spiffe://example.org/ns/web?x=1"),
           std::string("spiffe://example.org/ns/web#x"),
           std::string("spiffe://example.org/ns/w\xc3\xa9"
                       "b"),
           std::string("spiffe://example.org/ns/w\"b"),
           std::string("spiffe://example.org/ns/web\n"),
           std::string("spiffe://example.org/ns/we\0b", 28),
           // Trust domains outside [a-z0-9._-], or none.
           std::string("spiffe://Example.org/ns/web"),
           std::string("spiffe://example.org:443/ns/web"),
           std::string("spiffe://user@example.org/ns/web"),
           std::string("spiffe:///ns/web"),
           std::string("spiffe://"),
           absl::StrCat("spiffe://", std::string(256, 'a'), "/x"),
           absl::StrCat("spiffe://example.org/", std::string(2048 - 20, 'a')),
           // Not the spiffe scheme as written.
           std::string("SPIFFE://example.org/ns/web"),
           std::string("Spiffe://example.org/ns/web"),
           std::string("spiffe:example.org/ns/web"),
           std::string("spiffe:/example.org/ns/web"),
           std::string("https://example.org/ns/web"),
           std::string(""),
       }) {
    EXPECT_FALSE(IsCanonicalSpiffeId(id)) << id;
  }
}

TEST(ForwardedClientCertIdentity, NonCanonicalSpiffeIdIsRefused) {
  for (const char* xfcc : {
           "Hash=abc;URI=spiffe://example.org/ns/web/../../admin",
           "Hash=abc;URI=spiffe://example.org/ns/web/sa/frontend/",
           "Hash=abc;URI=spiffe://example.org/ns//web",
           "Hash=abc;URI=spiffe://EXAMPLE.org/ns/web",
           // Not a pass to the subject's CN either.
           "Subject=\"CN=frontend\";URI=SPIFFE://example.org/ns/web",
           "Subject=\"CN=frontend\";URI=spiffe://example.org/./ns/web",
       }) {
    EXPECT_EQ(Refusal(xfcc), kNonCanonicalSpiffeId) << xfcc;
  }
}

TEST(ForwardedClientCertIdentity, SpiffeIdAmongSeveralUrisIsRefused) {
  EXPECT_EQ(Refusal("Hash=abc;URI=spiffe://example.org/ns/web/sa/frontend;"
                    "URI=https://client.example.org;Subject=\"CN=frontend\""),
            kSeveralUrisWithSpiffeId);
  EXPECT_EQ(Refusal("URI=spiffe://example.org/a;URI=spiffe://example.org/b"),
            kSeveralUrisWithSpiffeId);
  // Several URIs none of which is a SPIFFE ID leave the CN to decide.
  EXPECT_EQ(Named("URI=https://a.example.org;URI=https://b.example.org;"
                  "Subject=\"CN=frontend\""),
            "frontend");
}

TEST(IdentityFromConnection, SeveralForwardedHeadersAreRefused) {
  FakeAuthContext context(/*authenticated=*/false);
  const absl::string_view twice[] = {kFrontendXfcc, kFrontendXfcc};
  const absl::string_view forged_then_sidecar[] = {
      "URI=spiffe://example.org/ns/admin/sa/root", kFrontendXfcc};
  for (absl::Span<const absl::string_view> headers :
       {absl::Span<const absl::string_view>(twice),
        absl::Span<const absl::string_view>(forged_then_sidecar)}) {
    const CallerIdentity caller =
        IdentityFromConnection(context, kLoopbackPeer, headers, true);
    EXPECT_EQ(caller.identity, "");
    EXPECT_EQ(caller.source, "forwarded_client_cert");
    EXPECT_EQ(caller.rejection, kSeveralForwardedHeaders);
  }
  // Headers the server does not read are not a reason to refuse.
  const CallerIdentity untrusted =
      IdentityFromConnection(context, kLoopbackPeer, twice, false);
  EXPECT_EQ(untrusted.rejection, "");
  EXPECT_EQ(untrusted.identity, "");
}

TEST(IdentityFromConnection, ANonCanonicalForwardedSpiffeIdIsRefused) {
  FakeAuthContext context(/*authenticated=*/false);
  const CallerIdentity caller = IdentityFromConnection(
      context, kLoopbackPeer,
      {"Hash=abc;URI=spiffe://example.org/ns/web/sa/../../batch/sa/job"}, true);
  EXPECT_EQ(caller.identity, "");
  EXPECT_EQ(caller.rejection, kNonCanonicalSpiffeId);
}

TEST(IdentityFromConnection, ASpiffeIdAmongSeveralUriSansIsRefused) {
  // gRPC reports no SPIFFE ID for such a certificate; the CN must not stand
  // in for it.
  FakeAuthContext context(/*authenticated=*/true);
  context.With(GRPC_PEER_URI_PROPERTY_NAME, kFrontend)
      .With(GRPC_PEER_URI_PROPERTY_NAME, "https://client.example.org")
      .With(GRPC_X509_CN_PROPERTY_NAME, "frontend");
  const CallerIdentity caller =
      IdentityFromConnection(context, kRemotePeer, {}, false);
  EXPECT_EQ(caller.identity, "");
  EXPECT_EQ(caller.source, "tls_spiffe_id");
  EXPECT_EQ(caller.rejection, kSeveralUrisWithSpiffeId);

  // Two SPIFFE IDs, in any case of the scheme, likewise.
  FakeAuthContext two(/*authenticated=*/true);
  two.With(GRPC_PEER_URI_PROPERTY_NAME, "https://client.example.org")
      .With(GRPC_PEER_URI_PROPERTY_NAME, "SPIFFE://example.org/ns/web")
      .With(GRPC_X509_CN_PROPERTY_NAME, "frontend");
  EXPECT_EQ(IdentityFromConnection(two, kRemotePeer, {}, false).rejection,
            kSeveralUrisWithSpiffeId);
}

TEST(IdentityFromConnection, SeveralUriSansWithoutASpiffeIdUseTheCommonName) {
  FakeAuthContext context(/*authenticated=*/true);
  context.With(GRPC_PEER_URI_PROPERTY_NAME, "https://a.example.org")
      .With(GRPC_PEER_URI_PROPERTY_NAME, "https://b.example.org")
      .With(GRPC_X509_CN_PROPERTY_NAME, "frontend");
  const CallerIdentity caller =
      IdentityFromConnection(context, kRemotePeer, {}, false);
  EXPECT_EQ(caller.identity, "frontend");
  EXPECT_EQ(caller.source, "tls_common_name");
  EXPECT_EQ(caller.rejection, "");
}

TEST(IdentityFromConnection, ANonCanonicalTlsSpiffeIdIsRefused) {
  // As gRPC reports it: the URI SAN, and the SPIFFE ID when it is the only
  // one.
  const std::string dotted = "spiffe://example.org/ns/web/../admin";
  FakeAuthContext context(/*authenticated=*/true);
  context.With(GRPC_PEER_URI_PROPERTY_NAME, dotted)
      .With(GRPC_PEER_SPIFFE_ID_PROPERTY_NAME, dotted)
      .With(GRPC_X509_CN_PROPERTY_NAME, "frontend");
  CallerIdentity caller =
      IdentityFromConnection(context, kRemotePeer, {}, false);
  EXPECT_EQ(caller.identity, "");
  EXPECT_EQ(caller.rejection, kNonCanonicalSpiffeId);

  // A lone SPIFFE-scheme URI gRPC did not take for a SPIFFE ID is checked as
  // one, not passed over for the CN.
  FakeAuthContext declined(/*authenticated=*/true);
  declined.With(GRPC_PEER_URI_PROPERTY_NAME, "SPIFFE://example.org/ns/web")
      .With(GRPC_X509_CN_PROPERTY_NAME, "frontend");
  caller = IdentityFromConnection(declined, kRemotePeer, {}, false);
  EXPECT_EQ(caller.identity, "");
  EXPECT_EQ(caller.rejection, kNonCanonicalSpiffeId);
}

TEST(IdentityFromConnection, ACanonicalTlsSpiffeIdAsGrpcReportsIt) {
  FakeAuthContext context(/*authenticated=*/true);
  context.With(GRPC_PEER_URI_PROPERTY_NAME, kFrontend)
      .With(GRPC_PEER_SPIFFE_ID_PROPERTY_NAME, kFrontend)
      .With(GRPC_X509_CN_PROPERTY_NAME, "frontend");
  const CallerIdentity caller =
      IdentityFromConnection(context, kRemotePeer, {}, false);
  EXPECT_EQ(caller.identity, kFrontend);
  EXPECT_EQ(caller.source, "tls_spiffe_id");
  EXPECT_EQ(caller.rejection, "");
}

}  // namespace
}  // namespace captoken::authz
