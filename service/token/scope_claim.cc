#include "service/token/scope_claim.h"

#include <algorithm>
#include <array>
#include <cstdint>
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

// E(P(params)), where P(params) = join("&", E(k) "=" E(v)): written in one
// pass, since E(E(x)) is AppendUriComponentTwice(x) and E of P's own
// separators is "%26" and "%3D".
void AppendNodeParams(const std::vector<Param>& params, std::string* out) {
  for (size_t i = 0; i < params.size(); ++i) {
    if (i > 0) out->append("%26");
    AppendUriComponentTwice(params[i].key, out);
    out->append("%3D");
    AppendUriComponentTwice(params[i].value, out);
  }
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

// quote_plus(urlencode(params)), where urlencode quote_plus-es each key and
// value: written in one pass, like AppendNodeParams (quote_plus also writes
// '&' as "%26" and '=' as "%3D").
void AppendPythonParams(const std::vector<Param>& params, std::string* out) {
  for (size_t i = 0; i < params.size(); ++i) {
    if (i > 0) out->append("%26");
    AppendQuotePlusTwice(params[i].key, out);
    out->append("%3D");
    AppendQuotePlusTwice(params[i].value, out);
  }
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

// Reads the decoded parameters of appParams / params ("k=v&k2=v2").
absl::StatusOr<std::vector<Param>> ParseParams(absl::string_view decoded) {
  std::vector<Param> params;
  params.reserve(1 + std::count(decoded.begin(), decoded.end(), '&'));
  absl::Status status = ForEachQueryPair(
      decoded, [&params](absl::string_view key, absl::string_view value) {
        params.push_back(Param{std::string(key), std::string(value)});
        return absl::OkStatus();
      });
  if (!status.ok()) return Malformed(status.message());
  return params;
}

// The parameters a scope string may carry; each at most once.
enum ScopeKey : uint32_t {
  kClientName = 1 << 0,
  kAppSid = 1 << 1,
  kAppParams = 1 << 2,
  kParams = 1 << 3,
  kPath = 1 << 4,
};

absl::StatusOr<CapabilityScope> ParseScope(absl::string_view text) {
  const size_t question = text.find('?');
  const absl::string_view name = text.substr(0, question);
  const absl::string_view query = question == absl::string_view::npos
                                      ? absl::string_view()
                                      : text.substr(question + 1);
  uint32_t allowed;
  if (name == kIncomingPrefix) {
    allowed = kClientName;
  } else if (name == kOutgoingPrefix) {
    allowed = kAppSid | kClientName | kAppParams;
  } else if (name == kEventStreamPrefix) {
    allowed = kPath | kAppParams | kParams;
  } else {
    return Malformed("unknown scope");
  }

  // Decoded values, moved into the scope once the query is read.
  std::string client_name, app_sid, path, filters;
  uint32_t seen = 0;
  absl::Status status = ForEachQueryPair(
      query, [&](absl::string_view key, absl::string_view value) {
        ScopeKey which;
        std::string* target;
        if (key == "clientName") {
          which = kClientName, target = &client_name;
        } else if (key == "appSid") {
          which = kAppSid, target = &app_sid;
        } else if (key == "appParams") {
          which = kAppParams, target = &filters;
        } else if (key == "params") {
          which = kParams, target = &filters;
        } else if (key == "path") {
          which = kPath, target = &path;
        } else {
          return absl::InvalidArgumentError("unknown parameter");
        }
        if ((allowed & which) == 0) {
          return absl::InvalidArgumentError("unknown parameter");
        }
        if ((seen & which) != 0) {
          return absl::InvalidArgumentError("repeated parameter");
        }
        seen |= which;
        target->assign(value.data(), value.size());
        return absl::OkStatus();
      });
  if (!status.ok()) return Malformed(status.message());

  if (name == kIncomingPrefix) {
    if ((seen & kClientName) == 0)
      return Malformed("incoming without clientName");
    return ClientIncomingScope{std::move(client_name)};
  }
  if (name == kOutgoingPrefix) {
    if ((seen & kAppSid) == 0) return Malformed("outgoing without appSid");
    ClientOutgoingScope outgoing{
        std::move(app_sid), {}, std::move(client_name)};
    if ((seen & kAppParams) != 0) {
      CAPTOKEN_ASSIGN_OR_RETURN(outgoing.params, ParseParams(filters));
    }
    return outgoing;
  }
  if ((seen & kPath) == 0 || path != kEventsPath) {
    return Malformed("event stream without its path");
  }
  if ((seen & kAppParams) != 0 && (seen & kParams) != 0) {
    return Malformed("event stream with two filter lists");
  }
  EventStreamScope events;
  if ((seen & (kAppParams | kParams)) != 0) {
    CAPTOKEN_ASSIGN_OR_RETURN(events.filters, ParseParams(filters));
  }
  return events;
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
  scopes.reserve(1 + std::count(claim.begin(), claim.end(), ' '));
  for (absl::string_view text : absl::StrSplit(claim, ' ')) {
    CAPTOKEN_ASSIGN_OR_RETURN(CapabilityScope scope, ParseScope(text));
    scopes.push_back(std::move(scope));
  }
  return scopes;
}

}  // namespace captoken::token
