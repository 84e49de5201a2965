// File: temp_files.h
// -----------------------------------------------------------------------------
//
// Files and directories for tests that read the file system (account
// directories, watchers), on subprocess.h's TempPath and WriteFile: a fresh
// directory under the test's TEST_TMPDIR, and making a directory, writing a
// file in place or replacing it by a rename, each failing the test, naming
// the path, if it cannot.
//
// Example:
//
//   const std::string root = FreshTestDirectory("accounts");
//   MakeTestDirectory(root + "/AC0123456789abcdef0123456789abcdef");
//   WriteTestFile(root + "/AC0123456789abcdef0123456789abcdef/auth_token",
//                 "secret");

#ifndef CAPTOKEN_TESTS_TESTING_TEMP_FILES_H_
#define CAPTOKEN_TESTS_TESTING_TEMP_FILES_H_

#include <sys/stat.h>

#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "tests/testing/subprocess.h"

namespace captoken::testing {

// FreshTestDirectory makes a new, empty directory under TEST_TMPDIR (or
// /tmp), its name ending in `prefix` (TempPath, subprocess.h), and returns
// its path.
inline std::string FreshTestDirectory(absl::string_view prefix) {
  const std::string path = TempPath(prefix);
  EXPECT_EQ(::mkdir(path.c_str(), 0700), 0) << path;
  return path;
}

// MakeTestDirectory makes the directory `path` (its parent must exist).
inline void MakeTestDirectory(const std::string& path) {
  ASSERT_EQ(::mkdir(path.c_str(), 0700), 0) << path;
}

// WriteTestFile replaces the content of `path` with `content`, creating
// the file if need be.
inline void WriteTestFile(const std::string& path, absl::string_view content) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(content.data(), static_cast<std::streamsize>(content.size()));
  file.close();
  ASSERT_TRUE(file.good()) << path;
}

// ReplaceTestFile replaces `path` with `content` in one step, as editors
// and secret syncs do (WriteFile, subprocess.h: a new file renamed over
// it).
inline void ReplaceTestFile(const std::string& path,
                            absl::string_view content) {
  const absl::Status written = WriteFile(path, content);
  ASSERT_TRUE(written.ok()) << path << ": " << written;
}

}  // namespace captoken::testing

#endif  // CAPTOKEN_TESTS_TESTING_TEMP_FILES_H_
