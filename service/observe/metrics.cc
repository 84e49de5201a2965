#include "service/observe/metrics.h"

#include <utility>

#include "prometheus/gauge.h"
#include "prometheus/metric_family.h"
#include "service/token/profile.h"

namespace captoken::observe {

// SecretAges computes "seconds since loaded" at scrape time, so the gauge is
// current without anyone updating it.
class ServerMetrics::SecretAges : public prometheus::Collectable {
 public:
  explicit SecretAges(const token::Clock* clock) : clock_(clock) {}

  void Set(std::vector<std::string> secrets, absl::Time loaded_at) {
    absl::MutexLock lock(&mutex_);
    secrets_ = std::move(secrets);
    loaded_at_ = loaded_at;
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    prometheus::MetricFamily family;
    family.name = "captoken_secret_age_seconds";
    family.help =
        "Seconds since each secret was loaded (its place in the config).";
    family.type = prometheus::MetricType::Gauge;
    absl::MutexLock lock(&mutex_);
    const double age = absl::ToDoubleSeconds(clock_->Now() - loaded_at_);
    for (const std::string& secret : secrets_) {
      prometheus::ClientMetric metric;
      metric.label.push_back({"secret", secret});
      metric.gauge.value = age;
      family.metric.push_back(std::move(metric));
    }
    return {std::move(family)};
  }

 private:
  const token::Clock* clock_;
  mutable absl::Mutex mutex_;
  std::vector<std::string> secrets_ ABSL_GUARDED_BY(mutex_);
  absl::Time loaded_at_ ABSL_GUARDED_BY(mutex_);
};

namespace {

// The service's methods (a method not listed still works, more slowly).
constexpr absl::string_view kMethods[] = {
    "MintCapabilityToken", "VerifyToken",     "GetCallerPolicy",
    "MintTaskRouterToken", "MintAccessToken", "BatchMint"};

// Handler latencies are tens of microseconds; the buckets reach a second so
// that trouble still lands in one.
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
          0.005,   0.01,   0.025,   0.1,    0.25,  1.0};
}

}  // namespace

ServerMetrics::ServerMetrics(const token::Clock* clock)
    : registry_(std::make_shared<prometheus::Registry>()),
      secret_ages_(std::make_shared<SecretAges>(clock)),
      calls_(prometheus::BuildCounter()
                 .Name("captoken_rpc_calls_total")
                 .Help("Calls, by method and gRPC status code.")
                 .Register(*registry_)),
      latency_(prometheus::BuildHistogram()
                   .Name("captoken_rpc_latency_seconds")
                   .Help("Time spent in the handler, by method.")
                   .Register(*registry_)),
      minted_(prometheus::BuildCounter()
                  .Name("captoken_tokens_minted_total")
                  .Help("Tokens signed, by kind and profile.")
                  .Register(*registry_)),
      refusals_(prometheus::BuildCounter()
                    .Name("captoken_refusals_total")
                    .Help("Calls and batch items refused, by reason.")
                    .Register(*registry_)),
      batch_items_(prometheus::BuildCounter()
                       .Name("captoken_batch_items_total")
                       .Help("BatchMint items, by the item's status code.")
                       .Register(*registry_)),
      rate_limited_(prometheus::BuildCounter()
                        .Name("captoken_rate_limited_total")
                        .Help("Calls and batch items refused because the "
                              "caller was over its rate.")
                        .Register(*registry_)
                        .Add({})),
      reloads_(prometheus::BuildCounter()
                   .Name("captoken_secret_reloads_total")
                   .Help("Reloads of accounts, secrets and policies, by "
                         "outcome.")
                   .Register(*registry_)),
      tls_reloads_(prometheus::BuildCounter()
                       .Name("captoken_tls_reloads_total")
                       .Help("Changes of the TLS files, by outcome: ok (now "
                             "served) or failed (they did not load, and the "
                             "previous ones are still served).")
                       .Register(*registry_)),
      audit_dropped_(prometheus::BuildCounter()
                         .Name("captoken_audit_lines_dropped_total")
                         .Help("Audit lines lost to a full log queue (only "
                               "with --audit=drop).")
                         .Register(*registry_)
                         .Add({})),
      audit_refusals_(prometheus::BuildCounter()
                          .Name("captoken_audit_refusals_total")
                          .Help("Calls whose tokens were withheld because "
                                "their audit lines could not be queued.")
                          .Register(*registry_)
                          .Add({})),
      directory_accounts_(prometheus::BuildGauge()
                              .Name("captoken_account_directory_accounts")
                              .Help("Accounts served from each account "
                                    "directory.")
                              .Register(*registry_)),
      directory_broken_(prometheus::BuildGauge()
                            .Name("captoken_account_directory_broken_entries")
                            .Help("Accounts of each account directory whose "
                                  "last read failed.")
                            .Register(*registry_)),
      directory_files_read_(
          prometheus::BuildCounter()
              .Name("captoken_account_directory_files_read_total")
              .Help("Files read from each account directory (on a reload, "
                    "only those of changed accounts).")
              .Register(*registry_)),
      directory_read_failures_(
          prometheus::BuildCounter()
              .Name("captoken_account_directory_read_failures_total")
              .Help("Accounts of each account directory that failed to "
                    "read.")
              .Register(*registry_)) {
  // Every series a dashboard expects exists from the start, at zero.
  reloads_.Add({{"outcome", "ok"}});
  reloads_.Add({{"outcome", "failed"}});
  tls_reloads_.Add({{"outcome", "ok"}});
  tls_reloads_.Add({{"outcome", "failed"}});
  for (authz::RefusalReason reason : authz::kAllRefusalReasons) {
    refusal_series_[static_cast<size_t>(reason)] = &refusals_.Add(
        {{"reason", std::string(authz::RefusalReasonLabel(reason))}});
  }
  for (absl::string_view kind : {"capability", "taskrouter", "access"}) {
    for (token::Profile value : token::kAllProfiles) {
      const absl::string_view profile = token::ProfileName(value);
      minted_series_.push_back(
          {std::string(kind), std::string(profile),
           &minted_.Add({{"kind", std::string(kind)},
                         {"profile", std::string(profile)}})});
    }
  }
  for (absl::string_view method : kMethods) {
    const std::string name(method);
    methods_.emplace(
        name,
        MethodMetrics{&calls_.Add({{"method", name}, {"code", "OK"}}),
                      &latency_.Add({{"method", name}}, LatencyBuckets())});
  }
}

void ServerMetrics::RecordCall(absl::string_view method,
                               const absl::Status& status,
                               absl::Duration latency) {
  auto known = methods_.find(method);
  if (status.ok() && known != methods_.end()) {
    known->second.ok_calls->Increment();
    known->second.latency->Observe(absl::ToDoubleSeconds(latency));
    return;
  }
  const std::string method_name(method);
  const std::string code = absl::StatusCodeToString(status.code());
  calls_.Add({{"method", method_name}, {"code", code}}).Increment();
  latency_.Add({{"method", method_name}}, LatencyBuckets())
      .Observe(absl::ToDoubleSeconds(latency));
  RecordRefusal(authz::RefusalReasonOf(status));
}

void ServerMetrics::RecordMint(absl::string_view kind,
                               absl::string_view profile, int64_t count) {
  for (const MintedSeries& series : minted_series_) {
    if (series.kind == kind && series.profile == profile) {
      series.counter->Increment(static_cast<double>(count));
      return;
    }
  }
  minted_.Add({{"kind", std::string(kind)}, {"profile", std::string(profile)}})
      .Increment(static_cast<double>(count));
}

void ServerMetrics::RecordBatchItem(absl::StatusCode code, int64_t count) {
  batch_items_.Add({{"code", absl::StatusCodeToString(code)}})
      .Increment(static_cast<double>(count));
}

void ServerMetrics::RecordRefusal(authz::RefusalReason reason, int64_t count) {
  if (reason == authz::RefusalReason::kNone) return;
  size_t index = static_cast<size_t>(reason);
  // Not a RefusalReason (an int cast to one): counted as "other".
  if (index >= authz::kRefusalReasonCount) {
    index = static_cast<size_t>(authz::RefusalReason::kOther);
  }
  refusal_series_[index]->Increment(static_cast<double>(count));
  if (reason == authz::RefusalReason::kRateLimited) {
    rate_limited_.Increment(static_cast<double>(count));
  }
}

void ServerMetrics::RecordAuditDropped(int64_t lines) {
  audit_dropped_.Increment(static_cast<double>(lines));
}

void ServerMetrics::RecordAuditRefusal() { audit_refusals_.Increment(); }

void ServerMetrics::RecordReload(bool ok) {
  reloads_.Add({{"outcome", ok ? "ok" : "failed"}}).Increment();
}

void ServerMetrics::RecordTlsReload(bool ok) {
  tls_reloads_.Add({{"outcome", ok ? "ok" : "failed"}}).Increment();
}

void ServerMetrics::RecordDirectoryRefresh(absl::string_view directory,
                                           int64_t accounts, int64_t broken,
                                           int64_t files_read,
                                           int64_t read_failures) {
  const prometheus::Labels labels = {{"directory", std::string(directory)}};
  directory_accounts_.Add(labels).Set(static_cast<double>(accounts));
  directory_broken_.Add(labels).Set(static_cast<double>(broken));
  directory_files_read_.Add(labels).Increment(static_cast<double>(files_read));
  directory_read_failures_.Add(labels).Increment(
      static_cast<double>(read_failures));
}

void ServerMetrics::SetSecretsLoaded(std::vector<std::string> secrets,
                                     absl::Time loaded_at) {
  secret_ages_->Set(std::move(secrets), loaded_at);
}

std::vector<std::weak_ptr<prometheus::Collectable>>
ServerMetrics::collectables() const {
  return {registry_, secret_ages_};
}

}  // namespace captoken::observe
