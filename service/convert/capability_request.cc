#include "service/convert/capability_request.h"

#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "service/token/status_macros.h"

namespace captoken::convert {
namespace {

// Sets `*converted` to `params`, reusing the room its strings have.
void ParamsInto(const google::protobuf::RepeatedPtrField<v1::Param>& params,
                std::vector<token::Param>* converted) {
  converted->resize(static_cast<size_t>(params.size()));
  for (int i = 0; i < params.size(); ++i) {
    token::Param& param = (*converted)[static_cast<size_t>(i)];
    param.key.assign(params[i].key());
    param.value.assign(params[i].value());
  }
}

// The alternative `Scope` of `*scope`: the one it holds, whose strings keep
// their room, or else a new one in its place.
template <typename Scope>
Scope& Holding(token::CapabilityScope* scope) {
  if (Scope* held = std::get_if<Scope>(scope)) return *held;
  return scope->emplace<Scope>();
}

void ParamsToProto(const std::vector<token::Param>& params,
                   google::protobuf::RepeatedPtrField<v1::Param>* out) {
  for (const token::Param& param : params) {
    v1::Param* converted = out->Add();
    converted->set_key(param.key);
    converted->set_value(param.value);
  }
}

}  // namespace

absl::StatusOr<token::CapabilitySpec> CapabilitySpecFromProto(
    const v1::CapabilityRequest& request, token::Profile default_profile) {
  token::CapabilitySpec spec;
  CAPTOKEN_RETURN_IF_ERROR(CapabilitySpecInto(request, default_profile, &spec));
  return spec;
}

absl::Status CapabilitySpecInto(const v1::CapabilityRequest& request,
                                token::Profile default_profile,
                                token::CapabilitySpec* spec) {
  // Every field of the spec is set below, whatever the request leaves out:
  // capability_request_test converts each of a set of requests into a spec
  // that held each other one, and compares with converting it afresh.
  spec->account_sid.assign(request.account_sid());
  CAPTOKEN_ASSIGN_OR_RETURN(
      spec->profile, ProfileFromProto(request.profile(), default_profile));
  spec->omit_not_before = request.omit_not_before();
  spec->ttl.reset();
  spec->expire_time.reset();

  spec->scopes.resize(static_cast<size_t>(request.scopes_size()));
  for (int i = 0; i < request.scopes_size(); ++i) {
    const v1::CapabilityScope& scope = request.scopes(i);
    token::CapabilityScope* converted = &spec->scopes[static_cast<size_t>(i)];
    switch (scope.scope_case()) {
      case v1::CapabilityScope::kClientIncoming:
        Holding<token::ClientIncomingScope>(converted).client_name.assign(
            scope.client_incoming().client_name());
        break;
      case v1::CapabilityScope::kClientOutgoing: {
        const v1::ClientOutgoing& outgoing = scope.client_outgoing();
        auto& held = Holding<token::ClientOutgoingScope>(converted);
        held.application_sid.assign(outgoing.application_sid());
        ParamsInto(outgoing.params(), &held.params);
        held.client_name.assign(outgoing.client_name());
        break;
      }
      case v1::CapabilityScope::kEventStream:
        ParamsInto(scope.event_stream().filters(),
                   &Holding<token::EventStreamScope>(converted).filters);
        break;
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("scopes[", i, "]: no scope kind set"));
    }
  }
  return LifetimeFromProto(request, spec);
}

void ScopesToProto(
    absl::Span<const token::CapabilityScope> scopes,
    google::protobuf::RepeatedPtrField<v1::CapabilityScope>* out) {
  for (const token::CapabilityScope& scope : scopes) {
    v1::CapabilityScope* converted = out->Add();
    if (const auto* incoming =
            std::get_if<token::ClientIncomingScope>(&scope)) {
      converted->mutable_client_incoming()->set_client_name(
          incoming->client_name);
    } else if (const auto* outgoing =
                   std::get_if<token::ClientOutgoingScope>(&scope)) {
      v1::ClientOutgoing* out_outgoing = converted->mutable_client_outgoing();
      out_outgoing->set_application_sid(outgoing->application_sid);
      out_outgoing->set_client_name(outgoing->client_name);
      ParamsToProto(outgoing->params, out_outgoing->mutable_params());
    } else {
      ParamsToProto(std::get<token::EventStreamScope>(scope).filters,
                    converted->mutable_event_stream()->mutable_filters());
    }
  }
}

}  // namespace captoken::convert
