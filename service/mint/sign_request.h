// File: sign_request.h
// -----------------------------------------------------------------------------
//
// SignRequest is the one sequence that turns a captoken.v1 request of any
// kind into a signed token: count what the request names against the
// limits, convert it to the library's spec, check the spec, sign it, and
// phrase any refusal in the request's own field names. The server's minter
// (token_minter.h) and the CLI's local `sign` both call it, so the two sign
// and refuse the same requests alike, with the same messages.
//
// The caller decides what happens between the check and the signature
// through `key_for`, which is given the checked request and returns the key
// to sign with: the minter authorizes the caller, finds the account and
// takes a unit of its rate there; the CLI reads the secret it was given.
// Only a request that passed every check reaches it.
//
// Everything is resolved at compile time (RequestKind below), so the
// server's hot path pays no virtual call and no allocation for it.
//
// Example:
//
//   CAPTOKEN_ASSIGN_OR_RETURN(
//       SignedRequest signed_request,
//       SignRequest(request, {.limits = limits, .clock = &clock},
//                   [&](const token::CheckedCapability& checked)
//                       -> absl::StatusOr<const token::HmacSha256Key*> {
//                     return &auth_token;
//                   }));

#ifndef CAPTOKEN_SERVICE_MINT_SIGN_REQUEST_H_
#define CAPTOKEN_SERVICE_MINT_SIGN_REQUEST_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "captoken/v1/access_token.pb.h"
#include "captoken/v1/capability.pb.h"
#include "captoken/v1/taskrouter.pb.h"
#include "service/convert/access_token_request.h"
#include "service/convert/capability_request.h"
#include "service/convert/request_counts.h"
#include "service/convert/taskrouter_request.h"
#include "service/token/access_token_signer.h"
#include "service/token/api_key.h"
#include "service/token/capability_signer.h"
#include "service/token/clock.h"
#include "service/token/crypto.h"
#include "service/token/profile.h"
#include "service/token/signed_token.h"
#include "service/token/signing_limits.h"
#include "service/token/status_macros.h"
#include "service/token/taskrouter_signer.h"
#include "service/token/token_kind.h"

namespace captoken::mint {

struct SignOptions {
  // What PROFILE_UNSPECIFIED means.
  token::Profile default_profile = token::Profile::kTwilioPython;
  token::SigningLimits limits;
  // Read once, when the request is checked. Must outlive the call.
  const token::Clock* clock = &token::Clock::Real();
};

// SignedRequest is a signed token and the profile it was written in (the
// request's, or SignOptions::default_profile).
struct SignedRequest {
  token::SignedToken token;
  token::Profile profile;
};

// RequestKind<Request>, a KindSteps, is one token kind: its spec, its checked
// spec, the key that signs it, and the library's functions that convert the
// request (convert/*_request.h) and sign the checked spec. Compile-time
// constants, so every call is a direct one. Checking differs by more than a
// function (CheckRequest below).
template <typename SpecT, typename CheckedT, typename KeyT,
          token::TokenKind kKindValue, auto kConvert, auto kSign>
struct KindSteps {
  using Spec = SpecT;
  using Checked = CheckedT;
  using Key = KeyT;
  static constexpr token::TokenKind kKind = kKindValue;
  // (const Request&, token::Profile default_profile, Spec*) -> Status,
  // setting every field of the spec (it may hold an earlier request's).
  static constexpr auto Convert = kConvert;
  // (const Checked&, const Key&, const SigningLimits&) -> StatusOr<token>;
  // fails only for what rendering finds (a token over max_token_bytes,
  // say), in terms that need no rewording.
  static constexpr auto Sign = kSign;
};

// A conversion that builds a new spec (`kConvert`, returning
// StatusOr<Spec>) in the form KindSteps takes: the new spec replaces the
// old. Only the capability kind, which BatchMint's items are nearly always
// of, converts in place (CapabilitySpecInto).
template <typename Request, typename Spec, auto kConvert>
absl::Status ConvertReplacing(const Request& request,
                              token::Profile default_profile, Spec* spec) {
  absl::StatusOr<Spec> converted = kConvert(request, default_profile);
  if (!converted.ok()) return converted.status();
  *spec = *std::move(converted);
  return absl::OkStatus();
}

template <typename Request>
struct RequestKind;

// Signed with the account's auth token.
template <>
struct RequestKind<v1::CapabilityRequest>
    : KindSteps<token::CapabilitySpec, token::CheckedCapability,
                token::HmacSha256Key, token::TokenKind::kCapability,
                &convert::CapabilitySpecInto, &token::SignCheckedCapability> {};

// Signed with the account's auth token.
template <>
struct RequestKind<v1::TaskRouterRequest>
    : KindSteps<token::TaskRouterSpec, token::CheckedTaskRouter,
                token::HmacSha256Key, token::TokenKind::kTaskRouter,
                &ConvertReplacing<v1::TaskRouterRequest, token::TaskRouterSpec,
                                  &convert::TaskRouterSpecFromProto>,
                &token::SignCheckedTaskRouter> {};

// Signed with an API key of the account.
template <>
struct RequestKind<v1::AccessTokenRequest>
    : KindSteps<
          token::AccessTokenSpec, token::CheckedAccessToken, token::ApiKey,
          token::TokenKind::kAccessToken,
          &ConvertReplacing<v1::AccessTokenRequest, token::AccessTokenSpec,
                            &convert::AccessTokenSpecFromProto>,
          &token::SignCheckedAccessToken> {};

// CheckRequest checks a converted request against `limits` as of `now`,
// and says a refusal in the request's field names. For an Access Token it
// also checks the api_key_sid the request names, if any (the spec does not
// carry it: the key that signs does).
absl::StatusOr<token::CheckedCapability> CheckRequest(
    const v1::CapabilityRequest& request, const token::CapabilitySpec& spec,
    absl::Time now, const token::SigningLimits& limits);
absl::StatusOr<token::CheckedTaskRouter> CheckRequest(
    const v1::TaskRouterRequest& request, const token::TaskRouterSpec& spec,
    absl::Time now, const token::SigningLimits& limits);
absl::StatusOr<token::CheckedAccessToken> CheckRequest(
    const v1::AccessTokenRequest& request, const token::AccessTokenSpec& spec,
    absl::Time now, const token::SigningLimits& limits);

// What SignRequest does after converting when the caller wants nothing.
struct IgnoreConverted {
  template <typename Spec>
  void operator()(const Spec&) const {}
};

// SignRequest signs `request` with the key `key_for` returns.
//
// `key_for(const RequestKind<Request>::Checked&)` returns
// absl::StatusOr<const RequestKind<Request>::Key*>; a key it returns must
// outlive the call, and a status it returns is SignRequest's.
// `on_converted(const RequestKind<Request>::Spec&)`, if given, sees the
// converted spec before it is checked (the minter audits what was asked
// for, refused or not).
//
// Fails with INVALID_ARGUMENT naming the field for a request over a count
// limit, one that does not convert, or one the library refuses; with
// key_for's status if it refuses.
template <typename Request, typename KeyFor,
          typename OnConverted = IgnoreConverted>
absl::StatusOr<SignedRequest> SignRequest(
    const Request& request, const SignOptions& options, KeyFor&& key_for,
    OnConverted&& on_converted = OnConverted()) {
  using Kind = RequestKind<Request>;
  // Counted before conversion expands anything (request_counts.h).
  CAPTOKEN_RETURN_IF_ERROR(
      convert::CheckRequestCounts(request, options.limits));
  // The spec is one this thread keeps for the kind and converts each
  // request into: its strings and vectors keep their room from one request
  // to the next (a BatchMint's items are mostly of one shape), so
  // converting allocates nothing. It holds the caller's values, never a
  // secret, as the thread's payload buffer does (capability_signer.cc), and
  // nothing here calls SignRequest again while it is in use.
  thread_local typename Kind::Spec spec;
  CAPTOKEN_RETURN_IF_ERROR(
      Kind::Convert(request, options.default_profile, &spec));
  on_converted(static_cast<const typename Kind::Spec&>(spec));
  CAPTOKEN_ASSIGN_OR_RETURN(
      typename Kind::Checked checked,
      CheckRequest(request, spec, options.clock->Now(), options.limits));
  CAPTOKEN_ASSIGN_OR_RETURN(
      const typename Kind::Key* key,
      std::forward<KeyFor>(key_for)(
          static_cast<const typename Kind::Checked&>(checked)));
  CAPTOKEN_ASSIGN_OR_RETURN(token::SignedToken signed_token,
                            Kind::Sign(checked, *key, options.limits));
  return SignedRequest{std::move(signed_token), spec.profile};
}

}  // namespace captoken::mint

#endif  // CAPTOKEN_SERVICE_MINT_SIGN_REQUEST_H_
