#include "service/token/taskrouter_verifier.h"

#include <utility>

#include "service/token/field_validation.h"
#include "service/token/internal/time_claims.h"
#include "service/token/json_value.h"
#include "service/token/status_macros.h"
#include "service/token/verification_failure.h"

namespace captoken::token {
namespace {

absl::Status Malformed(absl::string_view problem) {
  return VerificationError(VerificationFailure::kMalformed, problem);
}

absl::StatusOr<std::vector<TaskRouterFilter>> ReadFilters(
    const JsonValue& value) {
  if (!value.is_object()) return Malformed("policy filter is not an object");
  std::vector<TaskRouterFilter> filters;
  filters.reserve(value.member_names().size());
  for (size_t i = 0; i < value.member_names().size(); ++i) {
    filters.push_back({value.member_names()[i], value.member_values()[i]});
  }
  return filters;
}

absl::StatusOr<TaskRouterPolicy> ReadPolicy(const JsonValue& value) {
  if (!value.is_object()) return Malformed("policy is not an object");
  TaskRouterPolicy policy;
  bool has_url = false;
  bool has_method = false;
  bool has_allow = false;
  for (size_t i = 0; i < value.member_names().size(); ++i) {
    const std::string& name = value.member_names()[i];
    const JsonValue& member = value.member_values()[i];
    if (name == "url") {
      if (!member.is_string()) return Malformed("policy url is not a string");
      policy.url = member.text();
      has_url = true;
    } else if (name == "method") {
      if (!member.is_string()) {
        return Malformed("policy method is not a string");
      }
      policy.method = member.text();
      has_method = true;
    } else if (name == "allow") {
      if (!member.is_bool()) return Malformed("policy allow is not a boolean");
      policy.allow = member.bool_value();
      has_allow = true;
    } else if (name == "query_filter") {
      CAPTOKEN_ASSIGN_OR_RETURN(policy.query_filter, ReadFilters(member));
    } else if (name == "post_filter") {
      CAPTOKEN_ASSIGN_OR_RETURN(policy.post_filter, ReadFilters(member));
    } else {
      return Malformed("unexpected policy member");
    }
  }
  if (!has_url || !has_method || !has_allow) {
    return Malformed("policy lacks url, method or allow");
  }
  return policy;
}

absl::Status ReadString(const JsonValue& value, absl::string_view problem,
                        std::string* out) {
  if (!value.is_string()) return Malformed(problem);
  *out = value.text();
  return absl::OkStatus();
}

// Reads the TaskRouter claims; the time claims were read by JwtVerifier.
absl::StatusOr<TaskRouterClaims> ReadTaskRouterClaims(const VerifiedJwt& jwt) {
  TaskRouterClaims claims;
  claims.expire_time = jwt.times.expire_time;
  claims.issue_time = jwt.times.issue_time;
  claims.not_before = jwt.times.not_before;

  const JsonValue& payload = jwt.jwt.payload;
  std::string iss;
  bool has_policies = false;
  for (size_t i = 0; i < payload.member_names().size(); ++i) {
    const std::string& name = payload.member_names()[i];
    const JsonValue& value = payload.member_values()[i];
    if (name == "iss") {
      CAPTOKEN_RETURN_IF_ERROR(ReadString(value, "iss is not a string", &iss));
    } else if (name == "account_sid") {
      CAPTOKEN_RETURN_IF_ERROR(ReadString(value, "account_sid is not a string",
                                          &claims.account_sid));
    } else if (name == "workspace_sid") {
      CAPTOKEN_RETURN_IF_ERROR(ReadString(
          value, "workspace_sid is not a string", &claims.workspace_sid));
    } else if (name == "channel") {
      CAPTOKEN_RETURN_IF_ERROR(
          ReadString(value, "channel is not a string", &claims.channel_id));
    } else if (name == "version") {
      CAPTOKEN_RETURN_IF_ERROR(
          ReadString(value, "version is not a string", &claims.version));
    } else if (name == "friendly_name") {
      if (!value.is_string()) return Malformed("friendly_name is not a string");
      claims.friendly_name = value.text();
    } else if (name == "worker_sid") {
      CAPTOKEN_RETURN_IF_ERROR(
          ReadString(value, "worker_sid is not a string", &claims.worker_sid));
    } else if (name == "taskqueue_sid") {
      CAPTOKEN_RETURN_IF_ERROR(ReadString(
          value, "taskqueue_sid is not a string", &claims.taskqueue_sid));
    } else if (name == "policies") {
      if (value.type() != JsonValue::Type::kArray) {
        return Malformed("policies is not an array");
      }
      for (const JsonValue& element : value.elements()) {
        CAPTOKEN_ASSIGN_OR_RETURN(TaskRouterPolicy policy, ReadPolicy(element));
        claims.policies.push_back(std::move(policy));
      }
      has_policies = true;
    } else if (!internal::IsTimeClaim(name)) {
      return Malformed("unexpected claim");
    }
  }
  if (!IsSid("AC", iss)) return Malformed("iss is not an account SID");
  if (claims.account_sid != iss) {
    return Malformed("account_sid is not the iss account");
  }
  if (claims.workspace_sid.empty()) return Malformed("no workspace_sid claim");
  if (claims.channel_id.empty()) return Malformed("no channel claim");
  if (claims.version.empty()) return Malformed("no version claim");
  if (!has_policies) return Malformed("no policies claim");
  if (!claims.worker_sid.empty() && claims.worker_sid != claims.channel_id) {
    return Malformed("worker_sid is not the channel");
  }
  if (!claims.taskqueue_sid.empty() &&
      claims.taskqueue_sid != claims.channel_id) {
    return Malformed("taskqueue_sid is not the channel");
  }
  return claims;
}

}  // namespace

absl::StatusOr<TaskRouterVerifier> TaskRouterVerifier::Create(Options options) {
  CAPTOKEN_ASSIGN_OR_RETURN(
      JwtVerifier jwt_verifier,
      JwtVerifier::CreateForAccount(options.jwt, options.expected_account_sid));
  return TaskRouterVerifier(std::move(jwt_verifier),
                            std::move(options.expected_account_sid));
}

absl::StatusOr<VerifiedTaskRouterToken> TaskRouterVerifier::Verify(
    absl::string_view token, absl::Span<const HmacSha256Key* const> keys,
    TaskRouterClaims* authenticated_claims) const {
  // TaskRouter tokens carry no header members besides alg and typ.
  CAPTOKEN_ASSIGN_OR_RETURN(VerifiedJwt jwt,
                            jwt_verifier_.Authenticate(token, keys, {}));
  CAPTOKEN_ASSIGN_OR_RETURN(TaskRouterClaims claims, ReadTaskRouterClaims(jwt));
  if (authenticated_claims != nullptr) *authenticated_claims = claims;

  if (!expected_account_sid_.empty() &&
      claims.account_sid != expected_account_sid_) {
    return VerificationError(VerificationFailure::kWrongAccount,
                             "iss is not the expected account");
  }
  CAPTOKEN_RETURN_IF_ERROR(jwt_verifier_.CheckTimes(jwt.times));
  return VerifiedTaskRouterToken(std::move(claims));
}

}  // namespace captoken::token
