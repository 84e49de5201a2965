#include "service/convert/taskrouter_policy.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "service/convert/json_text.h"
#include "service/token/json_value.h"

namespace captoken::convert {
namespace {

using FilterList = google::protobuf::RepeatedPtrField<v1::TaskRouterFilter>;

absl::StatusOr<std::vector<token::TaskRouterFilter>> FiltersFromProto(
    absl::string_view field, const FilterList& filters) {
  std::vector<token::TaskRouterFilter> converted;
  converted.reserve(filters.size());
  for (int i = 0; i < filters.size(); ++i) {
    const v1::TaskRouterFilter& filter = filters[i];
    token::TaskRouterFilter& added = converted.emplace_back();
    added.name = filter.name();
    switch (filter.constraint_case()) {
      case v1::TaskRouterFilter::kRequired:
        added.constraint = token::JsonValue::Object(
            {{"required", token::JsonValue::Bool(filter.required())}});
        break;
      case v1::TaskRouterFilter::kConstraintJson: {
        absl::StatusOr<token::JsonValue> constraint =
            JsonFromText(absl::StrCat(field, "[", i, "].constraint_json"),
                         filter.constraint_json());
        if (!constraint.ok()) return constraint.status();
        added.constraint = *std::move(constraint);
        break;
      }
      default:
        return absl::InvalidArgumentError(
            absl::StrCat(field, "[", i, "]: set required or constraint_json"));
    }
  }
  return converted;
}

// The `required` value of a constraint that is exactly {"required": bool}.
const token::JsonValue* RequiredOnly(const token::JsonValue& constraint) {
  if (!constraint.is_object() || constraint.member_names().size() != 1 ||
      constraint.member_names()[0] != "required" ||
      !constraint.member_values()[0].is_bool()) {
    return nullptr;
  }
  return &constraint.member_values()[0];
}

void FiltersToProto(const std::vector<token::TaskRouterFilter>& filters,
                    FilterList* out) {
  for (const token::TaskRouterFilter& filter : filters) {
    v1::TaskRouterFilter* converted = out->Add();
    converted->set_name(filter.name);
    if (const token::JsonValue* required = RequiredOnly(filter.constraint)) {
      converted->set_required(required->bool_value());
    } else {
      converted->set_constraint_json(JsonToText(filter.constraint));
    }
  }
}

}  // namespace

absl::StatusOr<token::TaskRouterPolicySet> PolicySetFromProto(
    absl::string_view field, v1::TaskRouterPolicySet set) {
  switch (set) {
    case v1::TASK_ROUTER_POLICY_SET_EVENT_BRIDGE:
      return token::TaskRouterPolicySet::kEventBridge;
    case v1::TASK_ROUTER_POLICY_SET_NODE_WORKER_DEFAULTS:
      return token::TaskRouterPolicySet::kNodeWorkerDefaults;
    case v1::TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS:
      return token::TaskRouterPolicySet::kPythonDefaults;
    case v1::TASK_ROUTER_POLICY_SET_UPDATE_ACTIVITIES:
      return token::TaskRouterPolicySet::kUpdateActivities;
    case v1::TASK_ROUTER_POLICY_SET_UPDATE_RESERVATIONS:
      return token::TaskRouterPolicySet::kUpdateReservations;
    case v1::TASK_ROUTER_POLICY_SET_FETCH_SUBRESOURCES:
      return token::TaskRouterPolicySet::kFetchSubresources;
    case v1::TASK_ROUTER_POLICY_SET_UPDATE_SUBRESOURCES:
      return token::TaskRouterPolicySet::kUpdateSubresources;
    case v1::TASK_ROUTER_POLICY_SET_DELETE_SUBRESOURCES:
      return token::TaskRouterPolicySet::kDeleteSubresources;
    case v1::TASK_ROUTER_POLICY_SET_UPDATE_SELF:
      return token::TaskRouterPolicySet::kUpdateSelf;
    case v1::TASK_ROUTER_POLICY_SET_DELETE_SELF:
      return token::TaskRouterPolicySet::kDeleteSelf;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": unknown or unspecified policy set"));
  }
}

absl::StatusOr<token::TaskRouterPolicy> PolicyFromProto(
    absl::string_view field, const v1::TaskRouterPolicy& policy) {
  token::TaskRouterPolicy converted;
  converted.url = policy.url();
  converted.method = policy.method().empty() ? "GET" : policy.method();
  converted.allow = !policy.deny();
  absl::StatusOr<std::vector<token::TaskRouterFilter>> query = FiltersFromProto(
      absl::StrCat(field, ".query_filter"), policy.query_filter());
  if (!query.ok()) return query.status();
  converted.query_filter = *std::move(query);
  absl::StatusOr<std::vector<token::TaskRouterFilter>> post = FiltersFromProto(
      absl::StrCat(field, ".post_filter"), policy.post_filter());
  if (!post.ok()) return post.status();
  converted.post_filter = *std::move(post);
  return converted;
}

void PolicyToProto(const token::TaskRouterPolicy& policy,
                   v1::TaskRouterPolicy* out) {
  out->set_url(policy.url);
  out->set_method(policy.method);
  FiltersToProto(policy.query_filter, out->mutable_query_filter());
  FiltersToProto(policy.post_filter, out->mutable_post_filter());
  out->set_deny(!policy.allow);
}

}  // namespace captoken::convert
