#include "service/token/taskrouter_signer.h"

#include <string>

#include "service/token/internal/json_writer.h"
#include "service/token/internal/verbatim_json.h"
#include "service/token/jwt.h"
#include "service/token/status_macros.h"

namespace captoken::token {
namespace {

void WriteFilters(const std::vector<TaskRouterFilter>& filters,
                  internal::JsonWriter* writer) {
  writer->BeginObject();
  for (const TaskRouterFilter& filter : filters) {
    writer->Key(filter.name);
    internal::AppendVerbatimJson(filter.constraint, writer);
  }
  writer->EndObject();
}

// Node's Policy.payload() order, and twilio-python's dict literal order.
void WritePolicy(const TaskRouterPolicy& policy, bool node,
                 internal::JsonWriter* writer) {
  writer->BeginObject();
  writer->Key("url");
  writer->String(policy.url);
  writer->Key("method");
  writer->String(policy.method);
  if (!node) {
    writer->Key("allow");
    writer->Bool(policy.allow);
  }
  writer->Key("query_filter");
  WriteFilters(policy.query_filter, writer);
  writer->Key("post_filter");
  WriteFilters(policy.post_filter, writer);
  if (node) {
    writer->Key("allow");
    writer->Bool(policy.allow);  // Checked: always true for node.
  }
  writer->EndObject();
}

void WritePolicies(const TaskRouterSpec& spec, bool node,
                   internal::JsonWriter* writer) {
  writer->BeginArray();
  for (const TaskRouterPolicy& policy : spec.policies) {
    WritePolicy(policy, node, writer);
  }
  writer->EndArray();
}

// worker_sid or taskqueue_sid, which both SDKs add for those channels.
void WriteChannelSid(const TaskRouterSpec& spec, internal::JsonWriter* writer) {
  switch (ChannelKindOf(spec.channel_id)) {
    case TaskRouterChannelKind::kWorker:
      writer->Key("worker_sid");
      writer->String(spec.channel_id);
      return;
    case TaskRouterChannelKind::kTaskQueue:
      writer->Key("taskqueue_sid");
      writer->String(spec.channel_id);
      return;
    case TaskRouterChannelKind::kWorkspace:
    case TaskRouterChannelKind::kUnknown:
      return;
  }
}

// Both twilio-node and twilio-python 5.x open the payload with iss, exp and
// version, in that order.
void BeginWithIssExpVersion(const CheckedTaskRouter& checked,
                            internal::JsonWriter* writer) {
  const TaskRouterSpec& spec = checked.spec();
  writer->BeginObject();
  writer->Key("iss");
  writer->String(spec.account_sid);
  writer->Key("exp");
  writer->Int(absl::ToUnixSeconds(checked.expire_time()));
  writer->Key("version");
  writer->String(VersionOf(spec));
}

void WriteNodeClaims(const CheckedTaskRouter& checked,
                     internal::JsonWriter* writer) {
  const TaskRouterSpec& spec = checked.spec();
  BeginWithIssExpVersion(checked, writer);
  if (!spec.friendly_name.empty()) {
    writer->Key("friendly_name");
    writer->String(spec.friendly_name);
  }
  writer->Key("account_sid");
  writer->String(spec.account_sid);
  writer->Key("channel");
  writer->String(spec.channel_id);
  writer->Key("workspace_sid");
  writer->String(spec.workspace_sid);
  writer->Key("policies");
  WritePolicies(spec, /*node=*/true, writer);
  WriteChannelSid(spec, writer);
  writer->Key("iat");
  writer->Int(absl::ToUnixSeconds(checked.issue_time()));
  writer->EndObject();
}

// The channel id when no friendly name is given: twilio-python always
// writes one.
absl::string_view PythonFriendlyName(const TaskRouterSpec& spec) {
  return spec.friendly_name.empty() ? spec.channel_id : spec.friendly_name;
}

// twilio-python 5.x builds {iss, exp, version, friendly_name, policies} and
// then update()s it with {account_sid, workspace_sid, channel[, worker_sid |
// taskqueue_sid]}.
void WritePythonClaims(const CheckedTaskRouter& checked,
                       internal::JsonWriter* writer) {
  const TaskRouterSpec& spec = checked.spec();
  BeginWithIssExpVersion(checked, writer);
  writer->Key("friendly_name");
  writer->String(PythonFriendlyName(spec));
  writer->Key("policies");
  WritePolicies(spec, /*node=*/false, writer);
  writer->Key("account_sid");
  writer->String(spec.account_sid);
  writer->Key("workspace_sid");
  writer->String(spec.workspace_sid);
  writer->Key("channel");
  writer->String(spec.channel_id);
  WriteChannelSid(spec, writer);
  writer->EndObject();
}

// twilio-python 6+'s TaskRouterCapabilityToken payload {account_sid,
// workspace_sid, channel, version, friendly_name, policies[, worker_sid |
// taskqueue_sid]}, to which its Jwt adds iss, exp and (by default) nbf.
void WritePython6Claims(const CheckedTaskRouter& checked,
                        internal::JsonWriter* writer) {
  const TaskRouterSpec& spec = checked.spec();
  writer->BeginObject();
  writer->Key("account_sid");
  writer->String(spec.account_sid);
  writer->Key("workspace_sid");
  writer->String(spec.workspace_sid);
  writer->Key("channel");
  writer->String(spec.channel_id);
  writer->Key("version");
  writer->String(VersionOf(spec));
  writer->Key("friendly_name");
  writer->String(PythonFriendlyName(spec));
  writer->Key("policies");
  WritePolicies(spec, /*node=*/false, writer);
  WriteChannelSid(spec, writer);
  writer->Key("iss");
  writer->String(spec.account_sid);
  writer->Key("exp");
  writer->Int(absl::ToUnixSeconds(checked.expire_time()));
  if (!spec.omit_not_before) {
    writer->Key("nbf");
    writer->Int(absl::ToUnixSeconds(checked.issue_time()));
  }
  writer->EndObject();
}

}  // namespace

absl::StatusOr<CheckedTaskRouter> CheckTaskRouter(const TaskRouterSpec& spec,
                                                  absl::Time now,
                                                  const SigningLimits& limits) {
  CAPTOKEN_RETURN_IF_ERROR(ValidateTaskRouterSpec(spec, limits));
  CAPTOKEN_ASSIGN_OR_RETURN(
      absl::Time expire_time,
      ResolveLifetime(spec.ttl, spec.expire_time, now, limits));
  return CheckedTaskRouter(
      &spec, absl::FromUnixSeconds(absl::ToUnixSeconds(now)), expire_time);
}

absl::StatusOr<SignedToken> SignCheckedTaskRouter(
    const CheckedTaskRouter& checked, const HmacSha256Key& key,
    const SigningLimits& limits) {
  const Profile profile = checked.spec().profile;
  std::string payload;
  switch (profile) {
    case Profile::kTwilioNode: {
      internal::JsonWriter writer(internal::JsonStyle::kJavaScript, &payload);
      WriteNodeClaims(checked, &writer);
      break;
    }
    case Profile::kTwilioPython: {
      internal::JsonWriter writer(internal::JsonStyle::kPythonDumps, &payload);
      WritePythonClaims(checked, &writer);
      break;
    }
    case Profile::kTwilioPython6:
    case Profile::kTwilioPython7: {
      internal::JsonWriter writer(internal::JsonStyle::kPythonCompact,
                                  &payload);
      WritePython6Claims(checked, &writer);
      break;
    }
  }
  SignedToken signed_token{
      .token = SignHs256Jwt(Hs256HeaderBase64(profile), payload, key),
      .issue_time = checked.issue_time(),
      .expire_time = checked.expire_time(),
  };
  CAPTOKEN_RETURN_IF_ERROR(
      CheckTokenSize(signed_token.token, "policies", limits));
  return signed_token;
}

absl::StatusOr<SignedToken> SignTaskRouterToken(const TaskRouterSpec& spec,
                                                const HmacSha256Key& key,
                                                absl::Time now,
                                                const SigningLimits& limits) {
  CAPTOKEN_ASSIGN_OR_RETURN(CheckedTaskRouter checked,
                            CheckTaskRouter(spec, now, limits));
  return SignCheckedTaskRouter(checked, key, limits);
}

}  // namespace captoken::token
