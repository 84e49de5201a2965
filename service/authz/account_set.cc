#include "service/authz/account_set.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"

namespace captoken::authz {
namespace {

bool AllOf(absl::string_view text, size_t max_size,
           absl::string_view punctuation) {
  if (text.empty() || text.size() > max_size) return false;
  return std::all_of(text.begin(), text.end(), [&](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
           punctuation.find(c) != absl::string_view::npos;
  });
}

}  // namespace

bool IsAccountDirectoryName(absl::string_view name) {
  return AllOf(name, 64, "._-");
}

bool IsAccountLabel(absl::string_view label) {
  return AllOf(label, 128, "._-:/=");
}

absl::StatusOr<AccountSet> AccountSet::Compile(const v1::AccountSet& config) {
  if (config.directory().empty() && config.label().empty()) {
    return absl::InvalidArgumentError("set directory, label or both");
  }
  if (!config.label().empty() && !IsAccountLabel(config.label())) {
    return absl::InvalidArgumentError(
        "label: 1 to 128 letters, digits, \".\", \"_\", \"-\", \":\", \"/\" "
        "or \"=\"");
  }
  return AccountSet(config.directory(), config.label());
}

bool AccountSet::Contains(const AccountTraits& traits) const {
  // An account listed in the config belongs to no directory and carries no
  // label, so no set holds it: such an account is named by its SID.
  if (traits.directory.empty()) return false;
  if (!directory_.empty() && traits.directory != directory_) return false;
  if (label_.empty()) return true;
  return std::binary_search(traits.labels.begin(), traits.labels.end(), label_);
}

}  // namespace captoken::authz
