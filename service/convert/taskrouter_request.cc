#include "service/convert/taskrouter_request.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "service/convert/fields.h"
#include "service/convert/taskrouter_policy.h"
#include "service/token/status_macros.h"
#include "service/token/taskrouter_policies.h"

namespace captoken::convert {

absl::StatusOr<token::TaskRouterSpec> TaskRouterSpecFromProto(
    const v1::TaskRouterRequest& request, token::Profile default_profile) {
  token::TaskRouterSpec spec;
  spec.account_sid = request.account_sid();
  spec.workspace_sid = request.workspace_sid();
  spec.channel_id = request.channel_id();
  spec.friendly_name = request.friendly_name();
  spec.version = request.version();
  CAPTOKEN_ASSIGN_OR_RETURN(
      spec.profile, ProfileFromProto(request.profile(), default_profile));
  spec.omit_not_before = request.omit_not_before();

  for (int i = 0; i < request.policy_sets_size(); ++i) {
    const std::string field = absl::StrCat("policy_sets[", i, "]");
    CAPTOKEN_ASSIGN_OR_RETURN(
        token::TaskRouterPolicySet set,
        PolicySetFromProto(field, request.policy_sets(i)));
    if (absl::Status s = token::AppendPolicySet(set, &spec); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": ", absl::StripPrefix(s.message(), "policies: ")));
    }
  }
  for (int i = 0; i < request.policies_size(); ++i) {
    CAPTOKEN_ASSIGN_OR_RETURN(token::TaskRouterPolicy policy,
                              PolicyFromProto(absl::StrCat("policies[", i, "]"),
                                              request.policies(i)));
    spec.policies.push_back(std::move(policy));
  }

  CAPTOKEN_RETURN_IF_ERROR(LifetimeFromProto(request, &spec));
  return spec;
}

absl::Status TaskRouterStatusInRequestTerms(
    const absl::Status& status, const v1::TaskRouterRequest& request,
    const token::TaskRouterSpec& spec) {
  absl::string_view message = status.message();
  if (status.ok() || !absl::ConsumePrefix(&message, "policies[")) {
    return status;
  }
  const size_t close = message.find(']');
  size_t index = 0;
  if (close == absl::string_view::npos ||
      !absl::SimpleAtoi(message.substr(0, close), &index)) {
    return status;
  }
  const size_t own = static_cast<size_t>(request.policies_size());
  if (spec.policies.size() < own) return status;  // Not this request's spec.
  const size_t standard = spec.policies.size() - own;
  // A standard set's policy is built from checked ids and cannot be wrong
  // on its own; leave such a message as the library wrote it.
  if (index < standard) return status;
  absl::string_view rest = message.substr(close + 1);
  std::string renamed = absl::StrCat("policies[", index - standard, "]");
  if (absl::ConsumePrefix(&rest, ".allow:")) {
    absl::StrAppend(&renamed, ".deny:");
  }
  absl::StrAppend(&renamed, rest);
  return absl::Status(status.code(), renamed);
}

}  // namespace captoken::convert
