#include "service/token/internal/scope_claim.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "service/token/internal/ascii_scan.h"
#include "service/token/internal/url_encoding.h"
#include "service/token/status_macros.h"

namespace captoken::token::internal {
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
            "scope's client name, which the twilio-python profiles write "
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
//
// Verifying a token parses its scope claim, so this runs for every token
// verified: one pass over each scope's query, each value decoded straight
// into the scope it belongs to (emplaced in the result), no intermediate
// strings but a reused buffer for a parameter list.

absl::Status Malformed(absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("scope claim: ", problem));
}

// Form-decodes `encoded` into `*out`, replacing its contents.
absl::Status DecodeInto(absl::string_view encoded, std::string* out) {
  out->clear();
  return AppendFormDecoded(encoded, out);
}

// Reads the once-decoded text of appParams / params ("k=v&k2=v2") into
// `params`: the pairs split as in any query (RawQueryPairs), each side
// decoded once more straight into its parameter, with ForEachQueryPair's
// checks and errors.
absl::Status ParseParams(absl::string_view decoded,
                         std::vector<Param>* params) {
  RawQueryPairs pairs(decoded);
  absl::string_view key, value;
  while (pairs.Next(&key, &value)) {
    Param& param = params->emplace_back();
    absl::Status status = DecodeInto(key, &param.key);
    if (status.ok() && param.key.empty()) return Malformed("empty query key");
    if (status.ok()) status = DecodeInto(value, &param.value);
    if (!status.ok()) return Malformed(status.message());
  }
  return pairs.status().ok() ? absl::OkStatus()
                             : Malformed(pairs.status().message());
}

// The parameters a scope string may carry; each at most once.
enum ScopeKey : uint32_t {
  kUnknownKey = 0,
  kClientName = 1 << 0,
  kAppSid = 1 << 1,
  kAppParams = 1 << 2,
  kParams = 1 << 3,
  kPath = 1 << 4,
};

ScopeKey KeyNamed(absl::string_view key) {
  if (key == "clientName") return kClientName;
  if (key == "appSid") return kAppSid;
  if (key == "appParams") return kAppParams;
  if (key == "params") return kParams;
  if (key == "path") return kPath;
  return kUnknownKey;
}

// Parses one scope string and appends it to `scopes`.
absl::Status ParseScope(absl::string_view text,
                        std::vector<CapabilityScope>* scopes) {
  const size_t question = FindByte(text, '?');
  const absl::string_view name = text.substr(0, question);
  const absl::string_view query = question == absl::string_view::npos
                                      ? absl::string_view()
                                      : text.substr(question + 1);
  // Where each parameter's decoded value goes; null for a parameter the
  // scope does not take.
  std::string* client_name = nullptr;
  std::string* app_sid = nullptr;
  std::vector<Param>* params = nullptr;
  uint32_t allowed;
  if (name == kIncomingPrefix) {
    allowed = kClientName;
    auto& incoming = std::get<ClientIncomingScope>(
        scopes->emplace_back(std::in_place_type<ClientIncomingScope>));
    client_name = &incoming.client_name;
  } else if (name == kOutgoingPrefix) {
    allowed = kAppSid | kClientName | kAppParams;
    auto& outgoing = std::get<ClientOutgoingScope>(
        scopes->emplace_back(std::in_place_type<ClientOutgoingScope>));
    client_name = &outgoing.client_name;
    app_sid = &outgoing.application_sid;
    params = &outgoing.params;
  } else if (name == kEventStreamPrefix) {
    allowed = kPath | kAppParams | kParams;
    params = &std::get<EventStreamScope>(
                  scopes->emplace_back(std::in_place_type<EventStreamScope>))
                  .filters;
  } else {
    return Malformed("unknown scope");
  }

  // A parameter list is parsed after the whole query, so that the query's
  // own errors come first; until then its once-decoded text waits here.
  thread_local std::string param_list;
  // Values that are only looked at (the path, a refused parameter's).
  thread_local std::string value_scratch;
  std::string key_scratch;
  uint32_t seen = 0;
  bool events_path = false;
  RawQueryPairs pairs(query);
  absl::string_view raw_key, raw_value;
  while (pairs.Next(&raw_key, &raw_value)) {
    // A key is a plain name (FormDecodeView's first check, inline).
    absl::string_view key = raw_key;
    if (FormPlainRunLength(raw_key) != raw_key.size()) {
      absl::StatusOr<absl::string_view> decoded_key =
          FormDecodeView(raw_key, &key_scratch);
      if (!decoded_key.ok()) return Malformed(decoded_key.status().message());
      key = *decoded_key;
    }
    if (key.empty()) return Malformed("empty query key");
    const ScopeKey which = KeyNamed(key);
    absl::Status problem;
    if ((allowed & which) == 0) {
      problem = absl::InvalidArgumentError("unknown parameter");
    } else if ((seen & which) != 0) {
      problem = absl::InvalidArgumentError("repeated parameter");
    }
    seen |= which;
    // The value is decoded before the key's problem is reported, as
    // ForEachQueryPair orders them.
    absl::Status decoded;
    if (!problem.ok() || which == kPath) {
      absl::StatusOr<absl::string_view> value =
          FormDecodeView(raw_value, &value_scratch);
      decoded = value.status();
      if (decoded.ok()) events_path = *value == kEventsPath;
    } else if (which == kClientName) {
      decoded = DecodeInto(raw_value, client_name);
    } else if (which == kAppSid) {
      decoded = DecodeInto(raw_value, app_sid);
    } else {  // kAppParams, kParams
      decoded = DecodeInto(raw_value, &param_list);
    }
    if (!decoded.ok()) return Malformed(decoded.message());
    if (!problem.ok()) return Malformed(problem.message());
  }
  if (!pairs.status().ok()) return Malformed(pairs.status().message());

  if (name == kIncomingPrefix) {
    if ((seen & kClientName) == 0) {
      return Malformed("incoming without clientName");
    }
    return absl::OkStatus();
  }
  if (name == kOutgoingPrefix) {
    if ((seen & kAppSid) == 0) return Malformed("outgoing without appSid");
    if ((seen & kAppParams) != 0) {
      return ParseParams(param_list, params);
    }
    return absl::OkStatus();
  }
  if ((seen & kPath) == 0 || !events_path) {
    return Malformed("event stream without its path");
  }
  if ((seen & kAppParams) != 0 && (seen & kParams) != 0) {
    return Malformed("event stream with two filter lists");
  }
  if ((seen & (kAppParams | kParams)) != 0) {
    return ParseParams(param_list, params);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status AppendScopeClaim(Profile profile,
                              absl::Span<const CapabilityScope> scopes,
                              std::string* out) {
  if (IsPythonProfile(profile)) {
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
  // Room for one scope of each kind, as many as most claims hold, without
  // counting the spaces first.
  scopes.reserve(3);
  // Scopes are separated by single spaces: an empty piece (two spaces, or
  // one at either end) is an unknown scope.
  size_t start = 0;
  while (true) {
    const size_t end = std::min(FindByte(claim, ' ', start), claim.size());
    CAPTOKEN_RETURN_IF_ERROR(
        ParseScope(claim.substr(start, end - start), &scopes));
    if (end == claim.size()) return scopes;
    start = end + 1;
  }
}

}  // namespace captoken::token::internal
