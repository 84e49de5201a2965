#include "service/convert/request_counts.h"

#include <cstddef>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace captoken::convert {
namespace {

absl::Status TooMany(absl::string_view field, size_t limit,
                     absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": more than ", limit, " ", what));
}

size_t Count(int size) { return static_cast<size_t>(size); }

}  // namespace

absl::Status CheckRequestCounts(const v1::CapabilityRequest& request,
                                const token::SigningLimits& limits) {
  if (Count(request.scopes_size()) > limits.max_scopes) {
    return TooMany("scopes", limits.max_scopes, "scopes");
  }
  for (int i = 0; i < request.scopes_size(); ++i) {
    const v1::CapabilityScope& scope = request.scopes(i);
    if (Count(scope.client_outgoing().params_size()) >
        limits.max_params_per_scope) {
      return TooMany(absl::StrCat("scopes[", i, "].client_outgoing.params"),
                     limits.max_params_per_scope, "entries");
    }
    if (Count(scope.event_stream().filters_size()) >
        limits.max_params_per_scope) {
      return TooMany(absl::StrCat("scopes[", i, "].event_stream.filters"),
                     limits.max_params_per_scope, "entries");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRequestCounts(const v1::TaskRouterRequest& request,
                                const token::SigningLimits& limits) {
  // Every set adds at least one policy, so this bounds what the sets expand
  // to before any is expanded.
  if (Count(request.policy_sets_size()) + Count(request.policies_size()) >
      limits.max_policies) {
    return TooMany("policies", limits.max_policies,
                   "policies (each of policy_sets adds at least one)");
  }
  for (int i = 0; i < request.policies_size(); ++i) {
    const v1::TaskRouterPolicy& policy = request.policies(i);
    if (Count(policy.query_filter_size()) > limits.max_filters_per_policy) {
      return TooMany(absl::StrCat("policies[", i, "].query_filter"),
                     limits.max_filters_per_policy, "filters");
    }
    if (Count(policy.post_filter_size()) > limits.max_filters_per_policy) {
      return TooMany(absl::StrCat("policies[", i, "].post_filter"),
                     limits.max_filters_per_policy, "filters");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRequestCounts(const v1::AccessTokenRequest& request,
                                const token::SigningLimits& limits) {
  if (Count(request.grants_size()) > limits.max_grants) {
    return TooMany("grants", limits.max_grants, "grants");
  }
  return absl::OkStatus();
}

}  // namespace captoken::convert
