// File: metrics.h
// -----------------------------------------------------------------------------
//
// ServerMetrics are the server's Prometheus metrics. Labels are low
// cardinality and carry no caller's data: never a caller identity, an
// account SID or a client name.
//
//   captoken_rpc_calls_total{method,code}           calls, by method and status
//   captoken_rpc_latency_seconds{method}            handler latency histogram
//   captoken_tokens_minted_total{kind,profile}      tokens signed, batch items
//                                                   included; kind is
//                                                   "capability", "taskrouter"
//                                                   or "access"
//   captoken_refusals_total{reason}                 calls and batch items
//                                                   refused, by RefusalReason
//                                                   ("ttl_denied",
//                                                   refusal_reason.h)
//   captoken_batch_items_total{code}                BatchMint items, by the
//                                                   item's status code
//   captoken_rate_limited_total                     calls and batch items
//                                                   refused for rate (the
//                                                   "rate_limited" refusals)
//   captoken_secret_reloads_total{outcome}          reloads, "ok" or "failed"
//   captoken_tls_reloads_total{outcome}             changed TLS files: "ok"
//                                                   (now served) or "failed"
//                                                   (did not load; the
//                                                   previous ones still are)
//   captoken_audit_lines_dropped_total              audit lines lost to a full
//                                                   log queue (--audit=drop);
//                                                   by default a token whose
//                                                   line cannot be queued is
//                                                   not issued instead
//   captoken_audit_refusals_total                   calls refused because
//                                                   their audit line could
//                                                   not be queued in time
//   captoken_secret_age_seconds{secret}             seconds since each secret
//                                                   was loaded; `secret` is its
//                                                   place in the config
//                                                   ("accounts[0].auth_token";
//                                                   an account directory is one
//                                                   secret,
//                                                   "account_directories[0]")
//   captoken_account_directory_accounts{directory}  accounts served from each
//                                                   account directory
//   captoken_account_directory_files_read_total{directory}
//                                                   files read from it: on a
//                                                   reload, only those of the
//                                                   accounts that changed
//   captoken_account_directory_read_failures_total{directory}
//                                                   accounts that failed to
//                                                   read (each kept its
//                                                   previous version, or was
//                                                   left out if new)
//   captoken_account_directory_broken_entries{directory}
//                                                   accounts whose last read
//                                                   failed, now
//
// Updating a metric is a few atomic operations; the handler never waits for
// a scrape.
//
// Example:
//
//   ServerMetrics metrics;
//   metrics.RecordCall("MintCapabilityToken", status, latency);
//   prometheus::Exposer exposer("127.0.0.1:9090");
//   exposer.RegisterCollectable(metrics.registry());

#ifndef CAPTOKEN_SERVICE_OBSERVE_METRICS_H_
#define CAPTOKEN_SERVICE_OBSERVE_METRICS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "service/authz/refusal_reason.h"
#include "service/token/clock.h"

namespace captoken::observe {

class ServerMetrics {
 public:
  // `clock` (for secret ages) must outlive the metrics.
  explicit ServerMetrics(const token::Clock* clock = &token::Clock::Real());

  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // RecordCall counts one call of `method` that ended with `status` after
  // `latency`. A refused call is also counted by its RefusalReasonOf(status).
  void RecordCall(absl::string_view method, const absl::Status& status,
                  absl::Duration latency);

  // RecordMint counts `count` signed tokens of `kind` ("capability",
  // "taskrouter" or "access") and `profile` ("twilio-node").
  void RecordMint(absl::string_view kind, absl::string_view profile,
                  int64_t count = 1);

  // RecordBatchItem counts `count` BatchMint items that ended with `code`.
  void RecordBatchItem(absl::StatusCode code, int64_t count = 1);

  // RecordRefusal counts `count` calls (or batch items) refused for
  // `reason`; kRateLimited ones also count as rate-limited. kNone is
  // ignored.
  void RecordRefusal(authz::RefusalReason reason, int64_t count = 1);

  // RecordReload counts a reload and its outcome.
  void RecordReload(bool ok);

  // RecordTlsReload counts a change of the TLS files and its outcome.
  void RecordTlsReload(bool ok);

  // RecordAuditDropped counts `lines` audit lines lost to a full log queue.
  void RecordAuditDropped(int64_t lines);

  // RecordAuditRefusal counts a call whose tokens were withheld because its
  // audit lines could not be queued.
  void RecordAuditRefusal();

  // SetSecretsLoaded says the secrets named `secrets` (their places in the
  // config) were all loaded at `loaded_at`, replacing the previous set.
  void SetSecretsLoaded(std::vector<std::string> secrets, absl::Time loaded_at);

  // RecordDirectoryRefresh records what a refresh of the account directory
  // named `directory` found: the accounts it serves and those broken now
  // (gauges), the files read and the accounts that failed (counters).
  void RecordDirectoryRefresh(absl::string_view directory, int64_t accounts,
                              int64_t broken, int64_t files_read,
                              int64_t read_failures);

  // The collectables to register with a prometheus::Exposer.
  std::vector<std::weak_ptr<prometheus::Collectable>> collectables() const;

 private:
  class SecretAges;

  // The metrics every successful call of a method updates, made once so the
  // hot path skips the family's lock and lookup.
  struct MethodMetrics {
    prometheus::Counter* ok_calls;
    prometheus::Histogram* latency;
  };

  // A kind and profile's tokens-minted series, made once so that counting
  // a token skips the family's lock and label lookup.
  struct MintedSeries {
    std::string kind;
    std::string profile;
    prometheus::Counter* counter;
  };

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<SecretAges> secret_ages_;
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& minted_;
  prometheus::Family<prometheus::Counter>& refusals_;
  // One series per reason, made up front (the set is fixed), indexed by
  // RefusalReason; kNone's is null.
  std::array<prometheus::Counter*, authz::kRefusalReasonCount>
      refusal_series_{};
  prometheus::Family<prometheus::Counter>& batch_items_;
  prometheus::Counter& rate_limited_;
  prometheus::Family<prometheus::Counter>& reloads_;
  prometheus::Family<prometheus::Counter>& tls_reloads_;
  prometheus::Counter& audit_dropped_;
  prometheus::Counter& audit_refusals_;
  prometheus::Family<prometheus::Gauge>& directory_accounts_;
  prometheus::Family<prometheus::Gauge>& directory_broken_;
  prometheus::Family<prometheus::Counter>& directory_files_read_;
  prometheus::Family<prometheus::Counter>& directory_read_failures_;
  absl::flat_hash_map<std::string, MethodMetrics> methods_;
  std::vector<MintedSeries> minted_series_;
};

}  // namespace captoken::observe

#endif  // CAPTOKEN_SERVICE_OBSERVE_METRICS_H_
