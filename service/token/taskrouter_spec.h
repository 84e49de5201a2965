// File: taskrouter_spec.h
// -----------------------------------------------------------------------------
//
// TaskRouterSpec describes one TaskRouter capability token to sign: the
// account, workspace and channel (a worker, task queue or workspace) it is
// for, and the policies that say which TaskRouter and event-bridge requests
// the bearer may make. ValidateTaskRouterSpec checks a spec against the
// limits before any work is done on it.
//
// Policies are kept in order and written in that order; so are the filters
// of each policy. taskrouter_policies.h builds the standard policy sets of
// both SDKs.
//
// Example:
//
//   TaskRouterSpec spec;
//   spec.account_sid = "AC0123456789abcdef0123456789abcdef";
//   spec.workspace_sid = "WS0123456789abcdef0123456789abcdef";
//   spec.channel_id = "WK0123456789abcdef0123456789abcdef";
//   CAPTOKEN_RETURN_IF_ERROR(
//       AppendPolicySet(TaskRouterPolicySet::kPythonDefaults, &spec));
//   spec.policies.push_back(
//       {.url = WorkersUrl(spec.workspace_sid, spec.channel_id),
//        .method = "POST",
//        .post_filter = {TaskRouterFilter::Required("ActivitySid")}});
//   CAPTOKEN_RETURN_IF_ERROR(ValidateTaskRouterSpec(spec, SigningLimits()));

#ifndef CAPTOKEN_SERVICE_TOKEN_TASKROUTER_SPEC_H_
#define CAPTOKEN_SERVICE_TOKEN_TASKROUTER_SPEC_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/token/json_value.h"
#include "service/token/profile.h"
#include "service/token/signing_limits.h"

namespace captoken::token {

// TaskRouterFilter is one member of a policy's query_filter or post_filter:
// a request parameter's name and its constraint, a JSON object written as
// given (the SDKs write {"required":true} or {"required":false}).
struct TaskRouterFilter {
  std::string name;
  JsonValue constraint;

  // Required returns {name: {"required": true}}.
  static TaskRouterFilter Required(std::string name);
  // Optional returns {name: {"required": false}}.
  static TaskRouterFilter Optional(std::string name);

  friend bool operator==(const TaskRouterFilter& a, const TaskRouterFilter& b) {
    return a.name == b.name && a.constraint == b.constraint;
  }
};

// TaskRouterPolicy allows (or denies) `method` requests to `url`. A URL
// ending in "/**" covers every sub-path.
struct TaskRouterPolicy {
  // An https URL.
  std::string url;
  // "GET", "POST" or "DELETE".
  std::string method;
  std::vector<TaskRouterFilter> query_filter;
  std::vector<TaskRouterFilter> post_filter;
  // False makes a deny policy, which only the twilio-python profile can
  // write (twilio-node writes allow:true whatever it is given).
  bool allow = true;

  friend bool operator==(const TaskRouterPolicy& a, const TaskRouterPolicy& b) {
    return a.url == b.url && a.method == b.method &&
           a.query_filter == b.query_filter && a.post_filter == b.post_filter &&
           a.allow == b.allow;
  }
};

// For test failure messages: the method only, since URLs carry SIDs.
std::ostream& operator<<(std::ostream& os, const TaskRouterPolicy& policy);

// TaskRouterChannelKind is what a channel id names, read from its prefix
// as the SDKs read it.
enum class TaskRouterChannelKind {
  kWorker,     // "WK": the token also carries worker_sid.
  kTaskQueue,  // "WQ": the token also carries taskqueue_sid.
  kWorkspace,  // "WS"
  kUnknown,    // anything else; refused.
};

// ChannelKindOf returns the kind `channel_id`'s prefix names. It does not
// check the rest of the id.
TaskRouterChannelKind ChannelKindOf(absl::string_view channel_id);

// TaskRouterSpec is everything a TaskRouter capability token says.
struct TaskRouterSpec {
  // "AC" + 32 hex digits: the token's iss and account_sid.
  std::string account_sid;
  // "WS" + 32 hex digits.
  std::string workspace_sid;
  // "WK", "WQ" or "WS" + 32 hex digits: the worker, task queue or workspace
  // whose event-bridge channel the token opens.
  std::string channel_id;
  // Optional (empty means not given). twilio-node then leaves the claim out;
  // twilio-python writes the channel id.
  std::string friendly_name;
  // The API version claim: "v" and digits. Empty means "v1".
  std::string version = "v1";
  // In order.
  std::vector<TaskRouterPolicy> policies;
  // At most one of `ttl` and `expire_time`; neither means
  // SigningLimits::default_ttl.
  std::optional<absl::Duration> ttl;
  std::optional<absl::Time> expire_time;
  // The twilio-python 6+ profiles write nbf = the signing time, as the
  // SDK's *CapabilityToken does by default; true writes none (the SDK's
  // nbf=None). The other profiles never write nbf.
  bool omit_not_before = false;
  Profile profile = Profile::kTwilioPython;
};

// VersionOf returns `spec.version`, or "v1" when it is empty.
absl::string_view VersionOf(const TaskRouterSpec& spec);

// ValidateTaskRouterSpec checks every field of `spec` against `limits`:
// SIDs and channel id, texts (see field_validation.h), the version, each
// policy's URL, method and filters (unique names, object constraints that
// pass CheckVerbatimJson), counts, that a twilio-node spec asks for no deny
// policy, and that the lifetime is set at most one way. Lifetime bounds
// need a clock and are checked by ResolveLifetime.
//
// Fails with INVALID_ARGUMENT naming the first offending field, for
// example "policies[2].post_filter[0].constraint: must be a JSON object".
absl::Status ValidateTaskRouterSpec(const TaskRouterSpec& spec,
                                    const SigningLimits& limits);

}  // namespace captoken::token

#endif  // CAPTOKEN_SERVICE_TOKEN_TASKROUTER_SPEC_H_
