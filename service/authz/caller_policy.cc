#include "service/authz/caller_policy.h"

#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "service/authz/refusal_reason.h"
#include "service/convert/access_grant.h"
#include "service/convert/kind_names.h"
#include "service/token/field_validation.h"

namespace captoken::authz {
namespace {

absl::Status PolicyError(int index, absl::string_view field,
                         absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("config: callers[", index, "].", field, ": ", problem));
}

absl::StatusOr<std::unique_ptr<RE2>> CompilePattern(const std::string& pattern,
                                                    int index,
                                                    absl::string_view field) {
  RE2::Options options;
  options.set_log_errors(false);
  auto compiled = std::make_unique<RE2>(pattern, options);
  if (!compiled->ok()) {
    return PolicyError(
        index, field,
        absl::StrCat("not a valid RE2 pattern: ", compiled->error()));
  }
  return compiled;
}

absl::Status Denied(RefusalReason reason, absl::string_view problem) {
  return WithRefusalReason(reason, absl::PermissionDeniedError(problem));
}

bool FullMatch(absl::string_view text, const RE2& pattern) {
  return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), pattern);
}

v1::TokenKindAllowed AllowedKindOf(token::TokenKind kind) {
  switch (kind) {
    case token::TokenKind::kCapability:
      return v1::TOKEN_KIND_ALLOWED_CAPABILITY;
    case token::TokenKind::kTaskRouter:
      return v1::TOKEN_KIND_ALLOWED_TASKROUTER;
    case token::TokenKind::kAccessToken:
      return v1::TOKEN_KIND_ALLOWED_ACCESS;
  }
  return v1::TOKEN_KIND_ALLOWED_UNSPECIFIED;
}

// Marks each listed kind in `allowed`; fails on 0 or an unknown number.
template <size_t N>
absl::Status CompileKinds(const google::protobuf::RepeatedField<int>& kinds,
                          int index, absl::string_view field,
                          std::array<bool, N>* allowed) {
  for (int kind : kinds) {
    if (kind <= 0 || static_cast<size_t>(kind) >= N) {
      return PolicyError(index, field, "unknown or unspecified kind");
    }
    (*allowed)[kind] = true;
  }
  return absl::OkStatus();
}

}  // namespace

bool CallerPolicy::Covers(absl::string_view identity) const {
  if (identity.empty()) return false;
  if (identity_pattern_ != nullptr) {
    return FullMatch(identity, *identity_pattern_);
  }
  return identity == config_.identity();
}

absl::Status CallerPolicy::AuthorizeAccount(absl::string_view account_sid,
                                            const AccountTraits& traits) const {
  if (all_accounts_ || accounts_.contains(account_sid)) {
    return absl::OkStatus();
  }
  for (const AccountSet& set : account_sets_) {
    if (set.Contains(traits)) return absl::OkStatus();
  }
  return Denied(RefusalReason::kAccount, kAccountDenied);
}

absl::Status CallerPolicy::AuthorizeKind(token::TokenKind kind) const {
  if (token_kinds_[AllowedKindOf(kind)]) return absl::OkStatus();
  return Denied(RefusalReason::kKind,
                absl::StrCat("this caller may not use ",
                             convert::KindLabel(kind), " tokens"));
}

absl::Status CallerPolicy::AuthorizeLifetime(absl::Duration lifetime) const {
  if (max_ttl_.has_value() && lifetime > *max_ttl_) {
    return Denied(RefusalReason::kTtl,
                  absl::StrCat("ttl: longer than this caller's maximum of ",
                               absl::ToInt64Seconds(*max_ttl_), " s"));
  }
  return absl::OkStatus();
}

absl::Status CallerPolicy::AuthorizeTaskRouter(
    const token::TaskRouterSpec& spec, absl::Duration lifetime,
    const AccountTraits& traits) const {
  if (absl::Status status = AuthorizeAccount(spec.account_sid, traits);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = AuthorizeKind(token::TokenKind::kTaskRouter);
      !status.ok()) {
    return status;
  }
  return AuthorizeLifetime(lifetime);
}

absl::Status CallerPolicy::AuthorizeAccessToken(
    const token::AccessTokenSpec& spec, absl::Duration lifetime,
    const AccountTraits& traits) const {
  if (absl::Status status = AuthorizeAccount(spec.account_sid, traits);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = AuthorizeKind(token::TokenKind::kAccessToken);
      !status.ok()) {
    return status;
  }
  for (size_t i = 0; i < spec.grants.size(); ++i) {
    const v1::GrantKind kind = convert::GrantKindOf(spec.grants[i]);
    if (!grant_kinds_[kind]) {
      return Denied(
          RefusalReason::kGrant,
          absl::StrCat("grants[", i, "]: this caller may not request ",
                       convert::GrantKindLabel(kind), " grants"));
    }
  }
  if (access_identity_pattern_ != nullptr &&
      !FullMatch(spec.identity, *access_identity_pattern_)) {
    return Denied(RefusalReason::kIdentity,
                  "identity: not allowed for this caller");
  }
  return AuthorizeLifetime(lifetime);
}

absl::Status CallerPolicy::AuthorizeMint(const token::CapabilitySpec& spec,
                                         absl::Duration lifetime,
                                         const AccountTraits& traits) const {
  if (absl::Status status = AuthorizeAccount(spec.account_sid, traits);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = AuthorizeKind(token::TokenKind::kCapability);
      !status.ok()) {
    return status;
  }
  for (size_t i = 0; i < spec.scopes.size(); ++i) {
    const token::CapabilityScope& scope = spec.scopes[i];
    const bool allowed =
        std::holds_alternative<token::ClientIncomingScope>(scope)   ? incoming_
        : std::holds_alternative<token::ClientOutgoingScope>(scope) ? outgoing_
                                                                    : events_;
    if (!allowed) {
      return Denied(
          RefusalReason::kScope,
          absl::StrCat("scopes[", i, "]: this caller may not request ",
                       token::ScopeKindName(scope), " scopes"));
    }
    if (client_name_pattern_ == nullptr) continue;
    absl::string_view name;
    if (const auto* incoming =
            std::get_if<token::ClientIncomingScope>(&scope)) {
      name = incoming->client_name;
    } else if (const auto* outgoing =
                   std::get_if<token::ClientOutgoingScope>(&scope)) {
      name = outgoing->client_name;
      if (name.empty()) continue;  // No name given: nothing to check.
    } else {
      continue;
    }
    if (!FullMatch(name, *client_name_pattern_)) {
      return Denied(
          RefusalReason::kClientName,
          absl::StrCat("scopes[", i, "].", token::ScopeKindName(scope),
                       ".client_name: not allowed for this caller"));
    }
  }
  return AuthorizeLifetime(lifetime);
}

absl::StatusOr<std::shared_ptr<const CallerPolicies>> CallerPolicies::Compile(
    const google::protobuf::RepeatedPtrField<v1::CallerPolicy>& configs,
    absl::Duration server_max_ttl) {
  auto policies = std::make_shared<CallerPolicies>();
  for (int i = 0; i < configs.size(); ++i) {
    const v1::CallerPolicy& config = configs[i];
    auto policy = std::unique_ptr<CallerPolicy>(new CallerPolicy);
    policy->config_ = config;
    switch (config.caller_case()) {
      case v1::CallerPolicy::kIdentity:
        if (config.identity().empty()) {
          return PolicyError(i, "identity", "must not be empty");
        }
        break;
      case v1::CallerPolicy::kIdentityPattern: {
        if (config.identity_pattern().empty()) {
          return PolicyError(i, "identity_pattern", "must not be empty");
        }
        absl::StatusOr<std::unique_ptr<RE2>> pattern =
            CompilePattern(config.identity_pattern(), i, "identity_pattern");
        if (!pattern.ok()) return pattern.status();
        policy->identity_pattern_ = *std::move(pattern);
        break;
      }
      default:
        return PolicyError(i, "identity", "set identity or identity_pattern");
    }
    for (int a = 0; a < config.accounts_size(); ++a) {
      const std::string& account = config.accounts(a);
      if (account == "*") {
        policy->all_accounts_ = true;
      } else if (token::IsSid("AC", account)) {
        policy->accounts_.insert(account);
      } else {
        return PolicyError(i, absl::StrCat("accounts[", a, "]"),
                           "must be an account SID or \"*\"");
      }
    }
    for (int a = 0; a < config.account_sets_size(); ++a) {
      absl::StatusOr<AccountSet> set =
          AccountSet::Compile(config.account_sets(a));
      if (!set.ok()) {
        return PolicyError(i, absl::StrCat("account_sets[", a, "]"),
                           set.status().message());
      }
      policy->account_sets_.push_back(*std::move(set));
    }
    for (int kind : config.scope_kinds()) {
      switch (kind) {
        case v1::SCOPE_KIND_CLIENT_INCOMING:
          policy->incoming_ = true;
          break;
        case v1::SCOPE_KIND_CLIENT_OUTGOING:
          policy->outgoing_ = true;
          break;
        case v1::SCOPE_KIND_EVENT_STREAM:
          policy->events_ = true;
          break;
        default:
          return PolicyError(i, "scope_kinds", "unknown or unspecified kind");
      }
    }
    if (config.token_kinds().empty()) {
      // As before the other kinds existed: capability tokens only.
      policy->token_kinds_[v1::TOKEN_KIND_ALLOWED_CAPABILITY] = true;
    } else if (absl::Status s =
                   CompileKinds(config.token_kinds(), i, "token_kinds",
                                &policy->token_kinds_);
               !s.ok()) {
      return s;
    }
    if (absl::Status s = CompileKinds(config.grant_kinds(), i, "grant_kinds",
                                      &policy->grant_kinds_);
        !s.ok()) {
      return s;
    }
    if (!config.access_identity_pattern().empty()) {
      absl::StatusOr<std::unique_ptr<RE2>> pattern = CompilePattern(
          config.access_identity_pattern(), i, "access_identity_pattern");
      if (!pattern.ok()) return pattern.status();
      policy->access_identity_pattern_ = *std::move(pattern);
    }
    if (!config.client_name_pattern().empty()) {
      absl::StatusOr<std::unique_ptr<RE2>> pattern = CompilePattern(
          config.client_name_pattern(), i, "client_name_pattern");
      if (!pattern.ok()) return pattern.status();
      policy->client_name_pattern_ = *std::move(pattern);
    }
    if (config.has_max_ttl()) {
      const absl::Duration max_ttl =
          absl::Seconds(config.max_ttl().seconds()) +
          absl::Nanoseconds(config.max_ttl().nanos());
      if (max_ttl <= absl::ZeroDuration() || max_ttl > server_max_ttl ||
          config.max_ttl().nanos() != 0) {
        return PolicyError(i, "max_ttl",
                           "must be whole seconds, more than 0 and at most "
                           "the server's max_ttl");
      }
      policy->max_ttl_ = max_ttl;
    }
    if (config.has_rate()) {
      if (!(config.rate().per_second() > 0)) {
        return PolicyError(i, "rate.per_second", "must be positive");
      }
      policy->per_second_ = config.rate().per_second();
      policy->burst_ = config.rate().burst() > 0
                           ? config.rate().burst()
                           : std::ceil(config.rate().per_second());
    }
    policies->policies_.push_back(std::move(policy));
  }
  return std::shared_ptr<const CallerPolicies>(std::move(policies));
}

const CallerPolicy* CallerPolicies::Match(absl::string_view identity) const {
  for (const auto& policy : policies_) {
    if (policy->Covers(identity)) return policy.get();
  }
  return nullptr;
}

}  // namespace captoken::authz
