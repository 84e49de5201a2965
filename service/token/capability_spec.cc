#include "service/token/capability_spec.h"

#include <variant>

#include "absl/strings/str_cat.h"
#include "service/token/field_validation.h"

namespace captoken::token {
namespace {

// Each check below returns the problem with a field path relative to the
// scope, for example "client_outgoing.params[2].key: required". Paths are
// only formatted on failure.

absl::Status CheckParams(absl::string_view field,
                         const std::vector<Param>& params,
                         const SigningLimits& limits) {
  if (params.size() > limits.max_params_per_scope) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": more than ", limits.max_params_per_scope, " entries"));
  }
  const TextRules key_rules{.max_bytes = limits.max_text_bytes,
                            .required = true};
  const TextRules value_rules{.max_bytes = limits.max_text_bytes,
                              .required = false};
  for (size_t i = 0; i < params.size(); ++i) {
    if (absl::Status s = CheckText(params[i].key, key_rules); !s.ok()) {
      return InField(absl::StrCat(field, "[", i, "].key"), s);
    }
    if (absl::Status s = CheckText(params[i].value, value_rules); !s.ok()) {
      return InField(absl::StrCat(field, "[", i, "].value"), s);
    }
  }
  // Neither SDK can express a repeated key (a JavaScript object or Python
  // keyword arguments), so a repeat is a mistake, not a feature. Lists are
  // short (max_params_per_scope), so pairwise comparison beats hashing.
  for (size_t i = 1; i < params.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (params[i].key == params[j].key) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, "[", i, "].key: duplicate key"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckScope(const CapabilityScope& scope,
                        const SigningLimits& limits) {
  const TextRules name_rules{.max_bytes = limits.max_text_bytes,
                             .required = true};
  if (const auto* incoming = std::get_if<ClientIncomingScope>(&scope)) {
    if (absl::Status s = CheckText(incoming->client_name, name_rules);
        !s.ok()) {
      return InField("client_incoming.client_name", s);
    }
    return absl::OkStatus();
  }
  if (const auto* outgoing = std::get_if<ClientOutgoingScope>(&scope)) {
    if (absl::Status s = CheckSid("AP", outgoing->application_sid); !s.ok()) {
      return InField("client_outgoing.application_sid", s);
    }
    if (absl::Status s =
            CheckText(outgoing->client_name,
                      {.max_bytes = limits.max_text_bytes, .required = false});
        !s.ok()) {
      return InField("client_outgoing.client_name", s);
    }
    return CheckParams("client_outgoing.params", outgoing->params, limits);
  }
  return CheckParams("event_stream.filters",
                     std::get<EventStreamScope>(scope).filters, limits);
}

}  // namespace

absl::Status ValidateCapabilitySpec(const CapabilitySpec& spec,
                                    const SigningLimits& limits) {
  if (absl::Status s = CheckSid("AC", spec.account_sid); !s.ok()) {
    return InField("account_sid", s);
  }
  if (spec.scopes.size() > limits.max_scopes) {
    return absl::InvalidArgumentError(
        absl::StrCat("scopes: more than ", limits.max_scopes, " scopes"));
  }
  for (size_t i = 0; i < spec.scopes.size(); ++i) {
    if (absl::Status s = CheckScope(spec.scopes[i], limits); !s.ok()) {
      // CheckScope's path continues this one: "scopes[1].client_outgoing...".
      return absl::InvalidArgumentError(
          absl::StrCat("scopes[", i, "].", s.message()));
    }
  }
  return CheckLifetimeSetAtMostOnce(spec.ttl, spec.expire_time);
}

}  // namespace captoken::token
