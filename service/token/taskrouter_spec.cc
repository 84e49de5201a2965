#include "service/token/taskrouter_spec.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "service/token/field_validation.h"
#include "service/token/internal/verbatim_json.h"

namespace captoken::token {
namespace {

// Each check below returns the problem with a field path relative to the
// policy, for example "post_filter[0].name: required". Paths are only
// formatted on failure.

absl::Status CheckVersion(absl::string_view version) {
  if (version.size() < 2 || version.size() > 8 || version[0] != 'v') {
    return absl::InvalidArgumentError(
        "version: must be \"v\" followed by digits");
  }
  for (char c : version.substr(1)) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(
          "version: must be \"v\" followed by digits");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckUrl(absl::string_view url, const SigningLimits& limits) {
  if (url.empty()) return absl::InvalidArgumentError("url: required");
  if (url.size() > limits.max_text_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("url: longer than ", limits.max_text_bytes, " bytes"));
  }
  for (char c : url) {
    if (c <= ' ' || c >= 0x7F) {
      return absl::InvalidArgumentError(
          "url: must be printable ASCII without spaces");
    }
  }
  if (!absl::StartsWith(url, "https://") || url.size() == 8) {
    return absl::InvalidArgumentError("url: must be an https URL");
  }
  return absl::OkStatus();
}

absl::Status CheckMethod(absl::string_view method) {
  if (method.empty()) return absl::InvalidArgumentError("method: required");
  if (method != "GET" && method != "POST" && method != "DELETE") {
    return absl::InvalidArgumentError(
        "method: must be \"GET\", \"POST\" or \"DELETE\"");
  }
  return absl::OkStatus();
}

absl::Status CheckFilters(absl::string_view field,
                          const std::vector<TaskRouterFilter>& filters,
                          const SigningLimits& limits) {
  if (filters.size() > limits.max_filters_per_policy) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": more than ", limits.max_filters_per_policy, " filters"));
  }
  const TextRules name_rules{.max_bytes = limits.max_text_bytes,
                             .required = true};
  const internal::VerbatimJsonRules json_rules =
      internal::VerbatimJsonRules::From(limits);
  for (size_t i = 0; i < filters.size(); ++i) {
    if (absl::Status s = CheckText(filters[i].name, name_rules); !s.ok()) {
      return InField(absl::StrCat(field, "[", i, "].name"), s);
    }
    // A filter is a JSON object member in the token; neither SDK can
    // repeat one. Lists are short, so pairwise comparison beats hashing.
    for (size_t j = 0; j < i; ++j) {
      if (filters[j].name == filters[i].name) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, "[", i, "].name: duplicate name"));
      }
    }
    if (!filters[i].constraint.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, "[", i, "].constraint: must be a JSON object"));
    }
    if (absl::Status s = internal::CheckVerbatimJson(
            absl::StrCat(field, "[", i, "].constraint"), filters[i].constraint,
            json_rules);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPolicy(const TaskRouterPolicy& policy, Profile profile,
                         const SigningLimits& limits) {
  if (absl::Status s = CheckUrl(policy.url, limits); !s.ok()) return s;
  if (absl::Status s = CheckMethod(policy.method); !s.ok()) return s;
  if (absl::Status s =
          CheckFilters("query_filter", policy.query_filter, limits);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckFilters("post_filter", policy.post_filter, limits);
      !s.ok()) {
    return s;
  }
  if (!policy.allow && profile == Profile::kTwilioNode) {
    // twilio-node computes `allow || true`, so it cannot write a deny; a
    // node-profile token that silently allowed would be a security bug.
    return absl::InvalidArgumentError(
        "allow: the twilio-node profile cannot express a deny policy");
  }
  return absl::OkStatus();
}

}  // namespace

TaskRouterFilter TaskRouterFilter::Required(std::string name) {
  return {std::move(name),
          JsonValue::Object({{"required", JsonValue::Bool(true)}})};
}

TaskRouterFilter TaskRouterFilter::Optional(std::string name) {
  return {std::move(name),
          JsonValue::Object({{"required", JsonValue::Bool(false)}})};
}

std::ostream& operator<<(std::ostream& os, const TaskRouterPolicy& policy) {
  return os << (policy.allow ? "allow " : "deny ") << policy.method;
}

TaskRouterChannelKind ChannelKindOf(absl::string_view channel_id) {
  if (absl::StartsWith(channel_id, "WK")) return TaskRouterChannelKind::kWorker;
  if (absl::StartsWith(channel_id, "WQ")) {
    return TaskRouterChannelKind::kTaskQueue;
  }
  if (absl::StartsWith(channel_id, "WS")) {
    return TaskRouterChannelKind::kWorkspace;
  }
  return TaskRouterChannelKind::kUnknown;
}

absl::string_view VersionOf(const TaskRouterSpec& spec) {
  return spec.version.empty() ? absl::string_view("v1") : spec.version;
}

absl::Status ValidateTaskRouterSpec(const TaskRouterSpec& spec,
                                    const SigningLimits& limits) {
  if (absl::Status s = CheckSid("AC", spec.account_sid); !s.ok()) {
    return InField("account_sid", s);
  }
  if (absl::Status s = CheckSid("WS", spec.workspace_sid); !s.ok()) {
    return InField("workspace_sid", s);
  }
  if (spec.channel_id.empty()) {
    return absl::InvalidArgumentError("channel_id: required");
  }
  const TaskRouterChannelKind kind = ChannelKindOf(spec.channel_id);
  if (kind == TaskRouterChannelKind::kUnknown ||
      !IsSid(spec.channel_id.substr(0, 2), spec.channel_id)) {
    return absl::InvalidArgumentError(
        "channel_id: must be \"WK\", \"WQ\" or \"WS\" followed by 32 hex "
        "digits");
  }
  if (absl::Status s =
          CheckText(spec.friendly_name,
                    {.max_bytes = limits.max_text_bytes, .required = false});
      !s.ok()) {
    return InField("friendly_name", s);
  }
  if (absl::Status s = CheckVersion(VersionOf(spec)); !s.ok()) return s;
  if (spec.policies.size() > limits.max_policies) {
    return absl::InvalidArgumentError(
        absl::StrCat("policies: more than ", limits.max_policies, " policies"));
  }
  for (size_t i = 0; i < spec.policies.size(); ++i) {
    if (absl::Status s = CheckPolicy(spec.policies[i], spec.profile, limits);
        !s.ok()) {
      // CheckPolicy's path continues this one: "policies[1].url: ...".
      return absl::InvalidArgumentError(
          absl::StrCat("policies[", i, "].", s.message()));
    }
  }
  return CheckLifetimeSetAtMostOnce(spec.ttl, spec.expire_time);
}

}  // namespace captoken::token
