#include "service/token/scope_claim.h"

#include <array>
#include <optional>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "service/token/status_macros.h"
#include "service/token/url_encoding.h"

namespace captoken::token {
namespace {

constexpr char kIncomingPrefix[] = "scope:client:incoming";
constexpr char kOutgoingPrefix[] = "scope:client:outgoing";
constexpr char kEventStreamPrefix[] = "scope:stream:subscribe";
constexpr char kEventsPath[] = "/2010-04-01/Events";

// ---- twilio-node (spec §2.3) ----------------------------------------------

// P(params) = join("&", E(k) "=" E(v)), then E() of the whole.
void AppendNodeParams(const std::vector<Param>& params, std::string* out) {
  std::string inner;
  for (size_t i = 0; i < params.size(); ++i) {
    if (i > 0) inner.push_back('&');
    AppendUriComponent(params[i].key, &inner);
    inner.push_back('=');
    AppendUriComponent(params[i].value, &inner);
  }
  AppendUriComponent(inner, out);
}

void AppendNodeScope(const CapabilityScope& scope, std::string* out) {
  if (const auto* incoming = std::get_if<ClientIncomingScope>(&scope)) {
    out->append(kIncomingPrefix);
    out->append("?clientName=");
    AppendUriComponent(incoming->client_name, out);
  } else if (const auto* outgoing = std::get_if<ClientOutgoingScope>(&scope)) {
    out->append(kOutgoingPrefix);
    out->append("?appSid=");
    AppendUriComponent(outgoing->application_sid, out);
    if (!outgoing->client_name.empty()) {
      out->append("&clientName=");
      AppendUriComponent(outgoing->client_name, out);
    }
    if (!outgoing->params.empty()) {
      out->append("&appParams=");
      AppendNodeParams(outgoing->params, out);
    }
  } else {
    const auto& events = std::get<EventStreamScope>(scope);
    out->append(kEventStreamPrefix);
    out->append("?path=");
    out->append(kEventsPath);  // Literal: node does not escape the path.
    if (!events.filters.empty()) {
      out->append("&appParams=");
      AppendNodeParams(events.filters, out);
    }
  }
}

// ---- twilio-python 5.x (spec §2.4) ----------------------------------------

// urlencode(params) with quote_plus, then quote_plus() of the whole.
void AppendPythonParams(const std::vector<Param>& params, std::string* out) {
  std::string inner;
  for (size_t i = 0; i < params.size(); ++i) {
    if (i > 0) inner.push_back('&');
    AppendQuotePlus(params[i].key, &inner);
    inner.push_back('=');
    AppendQuotePlus(params[i].value, &inner);
  }
  AppendQuotePlus(inner, out);
}

// Python sorts each scope's own parameters by key before encoding them, so
// the orders below are fixed: appParams < appSid < clientName, and
// params < path.
void AppendPythonScope(const CapabilityScope& scope,
                       absl::string_view outgoing_client_name,
                       std::string* out) {
  if (const auto* incoming = std::get_if<ClientIncomingScope>(&scope)) {
    out->append(kIncomingPrefix);
    out->append("?clientName=");
    AppendQuotePlus(incoming->client_name, out);
  } else if (const auto* outgoing = std::get_if<ClientOutgoingScope>(&scope)) {
    out->append(kOutgoingPrefix);
    out->push_back('?');
    if (!outgoing->params.empty()) {
      out->append("appParams=");
      AppendPythonParams(outgoing->params, out);
      out->push_back('&');
    }
    out->append("appSid=");
    AppendQuotePlus(outgoing->application_sid, out);
    if (!outgoing_client_name.empty()) {
      out->append("&clientName=");
      AppendQuotePlus(outgoing_client_name, out);
    }
  } else {
    const auto& events = std::get<EventStreamScope>(scope);
    out->append(kEventStreamPrefix);
    out->push_back('?');
    if (!events.filters.empty()) {
      out->append("params=");
      AppendPythonParams(events.filters, out);
      out->push_back('&');
    }
    out->append("path=%2F2010-04-01%2FEvents");
  }
}

absl::Status AppendPythonScopeClaim(absl::Span<const CapabilityScope> scopes,
                                    std::string* out) {
  // TwilioCapability keeps a dict keyed by kind: the latest scope of each
  // kind, in the order each kind first appeared.
  std::array<const CapabilityScope*, 3> latest = {};
  std::array<size_t, 3> latest_index = {};
  std::array<size_t, 3> kind_order;
  size_t kinds = 0;
  for (size_t i = 0; i < scopes.size(); ++i) {
    const size_t kind = scopes[i].index();
    if (latest[kind] == nullptr) kind_order[kinds++] = kind;
    latest[kind] = &scopes[i];
    latest_index[kind] = i;
  }

  constexpr size_t kIncoming = 0;
  constexpr size_t kOutgoing = 1;
  absl::string_view outgoing_client_name;
  if (latest[kOutgoing] != nullptr) {
    outgoing_client_name =
        std::get<ClientOutgoingScope>(*latest[kOutgoing]).client_name;
    if (latest[kIncoming] != nullptr) {
      const absl::string_view incoming_name =
          std::get<ClientIncomingScope>(*latest[kIncoming]).client_name;
      if (!outgoing_client_name.empty() &&
          outgoing_client_name != incoming_name) {
        return absl::InvalidArgumentError(absl::StrCat(
            "scopes[", latest_index[kOutgoing],
            "].client_outgoing.client_name: differs from the incoming "
            "scope's client name, which the twilio-python profile writes "
            "into the outgoing scope"));
      }
      outgoing_client_name = incoming_name;
    }
  }

  for (size_t k = 0; k < kinds; ++k) {
    if (k > 0) out->push_back(' ');
    AppendPythonScope(*latest[kind_order[k]], outgoing_client_name, out);
  }
  return absl::OkStatus();
}

// ---- parsing ----------------------------------------------------------------

absl::Status Malformed(absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("scope claim: ", problem));
}

// A scope string's query, decoded, with each known key taken at most once.
class ScopeQuery {
 public:
  static absl::StatusOr<ScopeQuery> Parse(absl::string_view query) {
    ScopeQuery parsed;
    absl::StatusOr<std::vector<QueryParam>> params = ParseQueryString(query);
    if (!params.ok()) return Malformed(params.status().message());
    parsed.params_ = *std::move(params);
    for (size_t i = 1; i < parsed.params_.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (parsed.params_[i].first == parsed.params_[j].first) {
          return Malformed("repeated parameter");
        }
      }
    }
    return parsed;
  }

  // Take removes and returns the value of `key`, if present.
  std::optional<std::string> Take(absl::string_view key) {
    for (auto it = params_.begin(); it != params_.end(); ++it) {
      if (it->first == key) {
        std::string value = std::move(it->second);
        params_.erase(it);
        return value;
      }
    }
    return std::nullopt;
  }

  // Finish fails if any parameter was not taken.
  absl::Status Finish() const {
    return params_.empty() ? absl::OkStatus() : Malformed("unknown parameter");
  }

 private:
  std::vector<QueryParam> params_;
};

absl::StatusOr<std::vector<Param>> ParseParams(absl::string_view encoded) {
  absl::StatusOr<std::vector<QueryParam>> pairs = ParseQueryString(encoded);
  if (!pairs.ok()) return Malformed(pairs.status().message());
  std::vector<Param> params;
  params.reserve(pairs->size());
  for (QueryParam& pair : *pairs) {
    params.push_back(Param{std::move(pair.first), std::move(pair.second)});
  }
  return params;
}

absl::StatusOr<CapabilityScope> ParseScope(absl::string_view text) {
  const size_t question = text.find('?');
  const absl::string_view name = text.substr(0, question);
  const absl::string_view query = question == absl::string_view::npos
                                      ? absl::string_view()
                                      : text.substr(question + 1);
  CAPTOKEN_ASSIGN_OR_RETURN(ScopeQuery params, ScopeQuery::Parse(query));

  if (name == kIncomingPrefix) {
    ClientIncomingScope incoming;
    std::optional<std::string> client_name = params.Take("clientName");
    if (!client_name.has_value())
      return Malformed("incoming without clientName");
    incoming.client_name = *std::move(client_name);
    CAPTOKEN_RETURN_IF_ERROR(params.Finish());
    return incoming;
  }
  if (name == kOutgoingPrefix) {
    ClientOutgoingScope outgoing;
    std::optional<std::string> app_sid = params.Take("appSid");
    if (!app_sid.has_value()) return Malformed("outgoing without appSid");
    outgoing.application_sid = *std::move(app_sid);
    outgoing.client_name = params.Take("clientName").value_or("");
    if (std::optional<std::string> app_params = params.Take("appParams")) {
      CAPTOKEN_ASSIGN_OR_RETURN(outgoing.params, ParseParams(*app_params));
    }
    CAPTOKEN_RETURN_IF_ERROR(params.Finish());
    return outgoing;
  }
  if (name == kEventStreamPrefix) {
    EventStreamScope events;
    if (params.Take("path") != kEventsPath) {
      return Malformed("event stream without its path");
    }
    std::optional<std::string> node_filters = params.Take("appParams");
    std::optional<std::string> python_filters = params.Take("params");
    if (node_filters.has_value() && python_filters.has_value()) {
      return Malformed("event stream with two filter lists");
    }
    if (node_filters.has_value() || python_filters.has_value()) {
      CAPTOKEN_ASSIGN_OR_RETURN(
          events.filters,
          ParseParams(node_filters.has_value() ? *node_filters
                                               : *python_filters));
    }
    CAPTOKEN_RETURN_IF_ERROR(params.Finish());
    return events;
  }
  return Malformed("unknown scope");
}

}  // namespace

absl::Status AppendScopeClaim(Profile profile,
                              absl::Span<const CapabilityScope> scopes,
                              std::string* out) {
  if (profile == Profile::kTwilioPython) {
    return AppendPythonScopeClaim(scopes, out);
  }
  for (size_t i = 0; i < scopes.size(); ++i) {
    if (i > 0) out->push_back(' ');
    AppendNodeScope(scopes[i], out);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<CapabilityScope>> ParseScopeClaim(
    absl::string_view claim) {
  std::vector<CapabilityScope> scopes;
  if (claim.empty()) return scopes;
  for (absl::string_view text : absl::StrSplit(claim, ' ')) {
    CAPTOKEN_ASSIGN_OR_RETURN(CapabilityScope scope, ParseScope(text));
    scopes.push_back(std::move(scope));
  }
  return scopes;
}

}  // namespace captoken::token
