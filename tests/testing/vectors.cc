#include "tests/testing/vectors.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace captoken::testing {
namespace {

std::filesystem::path VectorsDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr || workspace == nullptr) return "tests/vectors";
  return std::filesystem::path(srcdir) / workspace / "tests" / "vectors";
}

}  // namespace

std::vector<std::string> ListVectorIds(absl::string_view folder,
                                       absl::string_view prefix) {
  std::vector<std::string> ids;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(
           VectorsDir() / std::string(folder), error)) {
    const std::string name = entry.path().filename().string();
    if (absl::StartsWith(name, prefix) && absl::EndsWith(name, ".json")) {
      ids.push_back(name.substr(0, name.size() - 5));
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

absl::StatusOr<token::JsonValue> ReadVector(absl::string_view folder,
                                            absl::string_view id) {
  const std::filesystem::path path =
      VectorsDir() / std::string(folder) / absl::StrCat(id, ".json");
  std::ifstream file(path);
  if (!file) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  }
  std::stringstream contents;
  contents << file.rdbuf();
  return token::ParseJson(contents.str(), /*max_depth=*/64);
}

const token::JsonValue& Member(const token::JsonValue& object,
                               absl::string_view name) {
  static const token::JsonValue* const kNull = new token::JsonValue;
  const token::JsonValue* value = object.Find(name);
  return value != nullptr ? *value : *kNull;
}

}  // namespace captoken::testing
