#include "service/config/server_config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "service/authz/account_set.h"
#include "service/config/text_format_error.h"
#include "service/token/field_validation.h"

namespace captoken::config {
namespace {

constexpr absl::Duration kTwilioMaxTtl = absl::Hours(24);
constexpr uint64_t kMinServerMemoryBytes = uint64_t{16} << 20;
constexpr uint64_t kMaxServerMemoryBytes = uint64_t{1} << 40;

absl::Status ConfigError(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("config: ", field, ": ", problem));
}

absl::StatusOr<absl::Duration> DurationField(
    const google::protobuf::Duration& duration, absl::string_view field) {
  if (duration.nanos() != 0) {
    return ConfigError(field, "must be a whole number of seconds");
  }
  const absl::Duration value = absl::Seconds(duration.seconds());
  if (value <= absl::ZeroDuration() || value > kTwilioMaxTtl) {
    return ConfigError(field, "must be more than 0 s and at most 24 h");
  }
  return value;
}

// Applies one Limits field: zero keeps `*value`, anything else must lie in
// [min, max].
absl::Status ApplyLimit(uint32_t configured, absl::string_view field,
                        size_t min, size_t max, size_t* value) {
  if (configured == 0) return absl::OkStatus();
  if (configured < min || configured > max) {
    return ConfigError(absl::StrCat("limits.", field),
                       absl::StrCat("must be between ", min, " and ", max));
  }
  *value = configured;
  return absl::OkStatus();
}

absl::Status ApplyLimits(const v1::Limits& limits, ServerSettings* settings) {
  token::SigningLimits& signing = settings->signing_limits;
  absl::Status status =
      ApplyLimit(limits.max_request_bytes(), "max_request_bytes", 1024, 4 << 20,
                 &settings->max_request_bytes);
  if (status.ok()) {
    status = ApplyLimit(limits.max_scopes_per_request(),
                        "max_scopes_per_request", 1, 1000, &signing.max_scopes);
  }
  if (status.ok()) {
    status = ApplyLimit(limits.max_params_per_scope(), "max_params_per_scope",
                        1, 1000, &signing.max_params_per_scope);
  }
  if (status.ok()) {
    status = ApplyLimit(limits.max_text_bytes(), "max_text_bytes", 1, 65536,
                        &signing.max_text_bytes);
  }
  if (status.ok()) {
    status = ApplyLimit(limits.max_token_bytes(), "max_token_bytes", 256,
                        1 << 20, &signing.max_token_bytes);
  }
  size_t streams = settings->max_concurrent_streams;
  if (status.ok()) {
    status = ApplyLimit(limits.max_concurrent_streams(),
                        "max_concurrent_streams", 1, 100000, &streams);
  }
  settings->max_concurrent_streams = static_cast<int>(streams);
  if (status.ok()) {
    status = ApplyLimit(limits.max_batch_requests(), "max_batch_requests", 1,
                        1000, &settings->max_batch_requests);
  }
  if (!status.ok()) return status;
  // Below 16 MiB a single large BatchMint response (up to 1000 tokens of
  // max_token_bytes) could not be held; 1 TiB is more than any host.
  if (const uint64_t memory = limits.max_server_memory_bytes(); memory != 0) {
    if (memory < kMinServerMemoryBytes || memory > kMaxServerMemoryBytes) {
      return ConfigError("limits.max_server_memory_bytes",
                         absl::StrCat("must be between ", kMinServerMemoryBytes,
                                      " and ", kMaxServerMemoryBytes));
    }
    settings->max_server_memory_bytes = static_cast<size_t>(memory);
  }
  if (limits.has_silent_client_timeout()) {
    // Half of it is gRPC's keepalive interval, in whole milliseconds; whole
    // seconds keep the arithmetic exact and the field easy to read. Under
    // 2 s a client on a slow link could be cut off for an ordinary pause;
    // over an hour the bound means little.
    const google::protobuf::Duration& timeout = limits.silent_client_timeout();
    if (timeout.nanos() != 0 || timeout.seconds() < 2 ||
        timeout.seconds() > 3600) {
      return ConfigError("limits.silent_client_timeout",
                         "must be a whole number of seconds from 2 s to 1 h");
    }
    settings->silent_client_timeout = absl::Seconds(timeout.seconds());
  }
  return absl::OkStatus();
}

// A secret source must name a variable or a file, and not an empty one.
absl::Status CheckSource(absl::string_view field,
                         const v1::SecretSource& source) {
  if (source.source_case() == v1::SecretSource::SOURCE_NOT_SET ||
      (source.has_env() && source.env().empty()) ||
      (source.has_file() && source.file().empty())) {
    return ConfigError(field, "set `env: \"VAR\"` or `file: \"PATH\"`");
  }
  return absl::OkStatus();
}

// Checks an account's API keys and adds them to `added`. `seen` holds the
// key SIDs of the accounts before it: a key belongs to one account.
absl::Status AddApiKeys(const v1::Account& account, absl::string_view field,
                        absl::flat_hash_set<std::string>* seen,
                        AccountSettings* added) {
  for (int j = 0; j < account.api_keys_size(); ++j) {
    const v1::ApiKey& key = account.api_keys(j);
    const std::string key_field = absl::StrCat(field, ".api_keys[", j, "]");
    if (absl::Status s = token::CheckSid("SK", key.sid()); !s.ok()) {
      return ConfigError(absl::StrCat(key_field, ".sid"), s.message());
    }
    if (!seen->insert(key.sid()).second) {
      return ConfigError(
          absl::StrCat(key_field, ".sid"),
          absl::StrCat(key.sid(), " is configured more than once"));
    }
    if (absl::Status s =
            CheckSource(absl::StrCat(key_field, ".secret"), key.secret());
        !s.ok()) {
      return s;
    }
    added->api_keys.push_back({key.sid(), key.secret(), key.verify_only()});
  }
  return absl::OkStatus();
}

// Checks account_directories and adds them to `settings`.
absl::Status AddAccountDirectories(const v1::ServerConfig& config,
                                   ServerSettings* settings) {
  absl::flat_hash_set<std::string> paths;
  absl::flat_hash_set<std::string> names;
  for (int i = 0; i < config.account_directories_size(); ++i) {
    const v1::AccountDirectory& directory = config.account_directories(i);
    const std::string field = absl::StrCat("account_directories[", i, "]");
    if (directory.path().empty()) {
      return ConfigError(absl::StrCat(field, ".path"), "required");
    }
    if (!directory.name().empty() &&
        !authz::IsAccountDirectoryName(directory.name())) {
      return ConfigError(absl::StrCat(field, ".name"),
                         "1 to 64 letters, digits, \".\", \"_\" or \"-\"");
    }
    AccountDirectorySettings& added =
        settings->account_directories.emplace_back();
    added.path = directory.path();
    added.name = directory.name().empty() ? directory.path() : directory.name();
    if (!paths.insert(added.path).second) {
      return ConfigError(absl::StrCat(field, ".path"),
                         "configured more than once");
    }
    if (!names.insert(added.name).second) {
      return ConfigError(absl::StrCat(field, ".name"),
                         "configured more than once");
    }
  }
  // A policy naming a directory that is not there would allow nothing,
  // silently: most likely a typo.
  for (int i = 0; i < config.callers_size(); ++i) {
    const v1::CallerPolicy& policy = config.callers(i);
    for (int j = 0; j < policy.account_sets_size(); ++j) {
      const std::string& directory = policy.account_sets(j).directory();
      if (!directory.empty() && !names.contains(directory)) {
        return ConfigError(
            absl::StrCat("callers[", i, "].account_sets[", j, "].directory"),
            "names no account_directories entry (its name, or its path if "
            "it has none)");
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

ServerSettings DevelopmentSettings() {
  ServerSettings settings;
  settings.listen_address = std::string(kDefaultListenAddress);
  settings.callers =
      *authz::CallerPolicies::Compile({}, settings.signing_limits.max_ttl);
  settings.secret_watch_interval = absl::ZeroDuration();
  return settings;
}

bool IsLoopbackAddress(absl::string_view host_port) {
  absl::string_view host = host_port;
  if (absl::StartsWith(host, "[")) {
    const size_t close = host.find(']');
    if (close == absl::string_view::npos) return false;
    host = host.substr(1, close - 1);
  } else {
    const size_t colon = host.rfind(':');
    if (colon != absl::string_view::npos) host = host.substr(0, colon);
  }
  if (host == "localhost" || host == "::1") return true;
  // Only a numeric IPv4 address in 127.0.0.0/8: a host name such as
  // "127.example.com" may resolve to any address.
  const std::string numeric(host);
  in_addr ipv4;
  return ::inet_pton(AF_INET, numeric.c_str(), &ipv4) == 1 &&
         (ntohl(ipv4.s_addr) >> 24) == 127;
}

absl::StatusOr<v1::ServerConfig> ReadServerConfigFile(absl::string_view path) {
  const std::string file_name(path);
  std::ifstream file(file_name);
  // A directory opens but cannot be read; unchecked, it would read as an
  // empty config.
  struct stat info;
  if (!file ||
      (::stat(file_name.c_str(), &info) == 0 && S_ISDIR(info.st_mode))) {
    return absl::NotFoundError(absl::StrCat("config: cannot read ", path));
  }
  std::stringstream text;
  text << file.rdbuf();

  v1::ServerConfig config;
  // Reports where and what, never the text: the parser's own messages quote
  // the offending token, which may be a secret pasted in the wrong place.
  TextFormatErrorCollector errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text.str(), &config)) {
    return absl::InvalidArgumentError(
        absl::StrCat("config: ", path, ": ", errors.first_error()));
  }
  return config;
}

absl::StatusOr<ServerSettings> ServerSettingsFromConfig(
    const v1::ServerConfig& config) {
  ServerSettings settings;
  settings.listen_address = config.listen_address().empty()
                                ? std::string(kDefaultListenAddress)
                                : config.listen_address();
  if (settings.listen_address.rfind(':') == std::string::npos) {
    return ConfigError("listen_address", "must be HOST:PORT");
  }
  settings.behind_mesh_sidecar = config.transport().has_mesh_sidecar();
  settings.trust_forwarded_client_cert =
      config.transport().mesh_sidecar().trust_forwarded_client_cert();
  if (config.transport().has_tls()) {
    const v1::Tls& tls = config.transport().tls();
    TlsSettings& files = settings.tls.emplace();
    if (tls.certificate_file().empty() || tls.private_key_file().empty()) {
      return ConfigError("transport.tls",
                         "certificate_file and private_key_file are required");
    }
    files.certificate_file = tls.certificate_file();
    files.private_key_file = tls.private_key_file();
    files.client_ca_file = tls.client_ca_file();
    files.crl_directory = tls.crl_directory();
    if (tls.has_refresh_interval()) {
      files.refresh_interval = absl::Seconds(tls.refresh_interval().seconds());
      if (files.refresh_interval < absl::Seconds(1)) {
        return ConfigError("transport.tls.refresh_interval",
                           "must be at least 1 s");
      }
    }
    for (const std::string* file :
         {&files.certificate_file, &files.private_key_file,
          &files.client_ca_file}) {
      if (!file->empty() && ::access(file->c_str(), R_OK) != 0) {
        return ConfigError("transport.tls",
                           absl::StrCat("cannot read ", *file));
      }
    }
  }
  const bool loopback = IsLoopbackAddress(settings.listen_address);
  if (!loopback && !settings.behind_mesh_sidecar && !settings.tls.has_value()) {
    return ConfigError(
        "listen_address",
        "is not a loopback address, and plaintext is only served on "
        "loopback; set `transport { tls { ... } }`, or `transport { "
        "mesh_sidecar {} }` if a sidecar in the same pod terminates TLS");
  }

  if (config.accounts().empty() && config.account_directories().empty()) {
    return ConfigError("accounts",
                       "at least one account (or account directory) is "
                       "required");
  }
  if (absl::Status s = AddAccountDirectories(config, &settings); !s.ok()) {
    return s;
  }
  absl::flat_hash_set<std::string> seen;
  absl::flat_hash_set<std::string> seen_api_keys;
  for (int i = 0; i < config.accounts_size(); ++i) {
    const v1::Account& account = config.accounts(i);
    const std::string field = absl::StrCat("accounts[", i, "]");
    if (absl::Status s = token::CheckSid("AC", account.account_sid());
        !s.ok()) {
      return ConfigError(absl::StrCat(field, ".account_sid"), s.message());
    }
    if (!seen.insert(account.account_sid()).second) {
      return ConfigError(
          absl::StrCat(field, ".account_sid"),
          absl::StrCat(account.account_sid(), " is configured more than once"));
    }
    if (absl::Status s = CheckSource(absl::StrCat(field, ".auth_token"),
                                     account.auth_token());
        !s.ok()) {
      return s;
    }
    AccountSettings& added = settings.accounts.emplace_back();
    added.account_sid = account.account_sid();
    added.auth_token = account.auth_token();
    added.verify_only = account.verify_only();
    if (account.has_secondary_auth_token()) {
      if (absl::Status s =
              CheckSource(absl::StrCat(field, ".secondary_auth_token"),
                          account.secondary_auth_token());
          !s.ok()) {
        return s;
      }
      added.secondary_auth_token = account.secondary_auth_token();
    }
    if (absl::Status s = AddApiKeys(account, field, &seen_api_keys, &added);
        !s.ok()) {
      return s;
    }
  }

  token::SigningLimits& limits = settings.signing_limits;
  if (config.has_max_ttl()) {
    absl::StatusOr<absl::Duration> max_ttl =
        DurationField(config.max_ttl(), "max_ttl");
    if (!max_ttl.ok()) return max_ttl.status();
    limits.max_ttl = *max_ttl;
  }
  limits.default_ttl = std::min(absl::Hours(1), limits.max_ttl);
  if (config.has_default_ttl()) {
    absl::StatusOr<absl::Duration> default_ttl =
        DurationField(config.default_ttl(), "default_ttl");
    if (!default_ttl.ok()) return default_ttl.status();
    if (*default_ttl > limits.max_ttl) {
      return ConfigError("default_ttl", "must not exceed max_ttl");
    }
    limits.default_ttl = *default_ttl;
  }

  switch (config.default_profile()) {
    case v1::PROFILE_UNSPECIFIED:
    case v1::PROFILE_TWILIO_PYTHON:
      settings.default_profile = token::Profile::kTwilioPython;
      break;
    case v1::PROFILE_TWILIO_NODE:
      settings.default_profile = token::Profile::kTwilioNode;
      break;
    case v1::PROFILE_TWILIO_PYTHON_6:
      settings.default_profile = token::Profile::kTwilioPython6;
      break;
    case v1::PROFILE_TWILIO_PYTHON_7:
      settings.default_profile = token::Profile::kTwilioPython7;
      break;
    default:
      return ConfigError("default_profile", "unknown profile");
  }

  if (absl::Status status = ApplyLimits(config.limits(), &settings);
      !status.ok()) {
    return status;
  }

  absl::StatusOr<std::shared_ptr<const authz::CallerPolicies>> callers =
      authz::CallerPolicies::Compile(config.callers(), limits.max_ttl);
  if (!callers.ok()) return callers.status();
  settings.callers = *std::move(callers);
  if (settings.callers->open() && !loopback) {
    return ConfigError("callers",
                       "required when listening beyond loopback: without "
                       "them every caller could mint for every account");
  }
  const bool can_identify =
      (settings.tls.has_value() && !settings.tls->client_ca_file.empty()) ||
      settings.trust_forwarded_client_cert;
  if (!settings.callers->open() && !can_identify) {
    return ConfigError(
        "callers",
        "policies need caller identities: set transport.tls.client_ca_file "
        "(mutual TLS) or transport.mesh_sidecar.trust_forwarded_client_cert");
  }

  if (config.has_secret_watch_interval()) {
    // Truncated, half a second would be zero: watching silently off.
    if (config.secret_watch_interval().nanos() != 0) {
      return ConfigError("secret_watch_interval",
                         "must be a whole number of seconds");
    }
    settings.secret_watch_interval =
        absl::Seconds(config.secret_watch_interval().seconds());
    if (settings.secret_watch_interval < absl::ZeroDuration()) {
      return ConfigError("secret_watch_interval", "must not be negative");
    }
  }
  return settings;
}

}  // namespace captoken::config
