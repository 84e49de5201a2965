#include "bench/typical_request.h"

namespace captoken::bench {

v1::CapabilityRequest TypicalRequest(const std::string& account_sid) {
  v1::CapabilityRequest request;
  request.set_account_sid(account_sid);
  request.set_profile(v1::PROFILE_TWILIO_NODE);
  request.add_scopes()->mutable_client_incoming()->set_client_name("alice");
  v1::ClientOutgoing* outgoing =
      request.add_scopes()->mutable_client_outgoing();
  outgoing->set_application_sid("AP89abcdef0123456789abcdef01234567");
  v1::Param* to = outgoing->add_params();
  to->set_key("To");
  to->set_value("+15551234567");
  v1::Param* caller_id = outgoing->add_params();
  caller_id->set_key("CallerId");
  caller_id->set_value("client:alice");
  return request;
}

}  // namespace captoken::bench
