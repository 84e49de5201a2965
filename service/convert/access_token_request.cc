#include "service/convert/access_token_request.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "service/convert/access_grant.h"
#include "service/convert/fields.h"
#include "service/token/status_macros.h"

namespace captoken::convert {

absl::StatusOr<token::AccessTokenSpec> AccessTokenSpecFromProto(
    const v1::AccessTokenRequest& request, token::Profile default_profile) {
  token::AccessTokenSpec spec;
  spec.account_sid = request.account_sid();
  spec.identity = request.identity();
  spec.region = request.region();
  CAPTOKEN_ASSIGN_OR_RETURN(
      spec.profile, ProfileFromProto(request.profile(), default_profile));
  spec.grants.reserve(request.grants_size());
  for (int i = 0; i < request.grants_size(); ++i) {
    CAPTOKEN_ASSIGN_OR_RETURN(
        token::AccessGrant grant,
        GrantFromProto(absl::StrCat("grants[", i, "]"), request.grants(i)));
    spec.grants.push_back(std::move(grant));
  }
  CAPTOKEN_RETURN_IF_ERROR(LifetimeFromProto(request, &spec));
  if (request.has_not_before()) {
    CAPTOKEN_ASSIGN_OR_RETURN(
        spec.not_before, TimeFromProto("not_before", request.not_before()));
  }
  spec.omit_not_before = request.omit_not_before();
  return spec;
}

absl::Status AccessTokenStatusInRequestTerms(const absl::Status& status) {
  if (status.ok() || !absl::StartsWith(status.message(), "grants[")) {
    return status;
  }
  // Only the path, before the first ": ", is renamed; the rest is the rule.
  const absl::string_view message = status.message();
  const size_t end = message.find(": ");
  if (end == absl::string_view::npos) return status;
  std::string path(message.substr(0, end));
  // Longest names first, so a renamed name is never renamed again.
  path =
      absl::StrReplaceAll(path, {{"].voice.outgoing_application_params",
                                  "].voice.outgoing_application_params_json"},
                                 {"].data_sync.", "].sync."},
                                 {"].player.grant", "].playback.grant_json"}});
  return absl::Status(status.code(), absl::StrCat(path, message.substr(end)));
}

}  // namespace captoken::convert
