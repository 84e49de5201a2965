#include "service/convert/capability_request.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "service/token/status_macros.h"

namespace captoken::convert {
namespace {

std::vector<token::Param> ParamsFromProto(
    const google::protobuf::RepeatedPtrField<v1::Param>& params) {
  std::vector<token::Param> converted;
  converted.reserve(params.size());
  for (const v1::Param& param : params) {
    converted.push_back({param.key(), param.value()});
  }
  return converted;
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
  spec.account_sid = request.account_sid();
  CAPTOKEN_ASSIGN_OR_RETURN(
      spec.profile, ProfileFromProto(request.profile(), default_profile));
  spec.omit_not_before = request.omit_not_before();

  spec.scopes.reserve(request.scopes_size());
  for (int i = 0; i < request.scopes_size(); ++i) {
    const v1::CapabilityScope& scope = request.scopes(i);
    switch (scope.scope_case()) {
      case v1::CapabilityScope::kClientIncoming:
        spec.scopes.push_back(
            token::ClientIncomingScope{scope.client_incoming().client_name()});
        break;
      case v1::CapabilityScope::kClientOutgoing: {
        const v1::ClientOutgoing& outgoing = scope.client_outgoing();
        spec.scopes.push_back(token::ClientOutgoingScope{
            outgoing.application_sid(), ParamsFromProto(outgoing.params()),
            outgoing.client_name()});
        break;
      }
      case v1::CapabilityScope::kEventStream:
        spec.scopes.push_back(token::EventStreamScope{
            ParamsFromProto(scope.event_stream().filters())});
        break;
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("scopes[", i, "]: no scope kind set"));
    }
  }

  CAPTOKEN_RETURN_IF_ERROR(LifetimeFromProto(request, &spec));
  return spec;
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
