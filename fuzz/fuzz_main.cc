// A main() for fuzz targets built without libFuzzer (the normal GCC build):
// it runs LLVMFuzzerTestOneInput over every file named on the command line
// (directories are walked), so each target's seed corpus is a regression
// test in `bazel test //...`. Under --config=fuzz libFuzzer supplies main().

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int RunFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  const std::string input((std::istreambuf_iterator<char>(file)),
                          std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()),
                         input.size());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path path(argv[i]);
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry :
           std::filesystem::recursive_directory_iterator(path)) {
        if (entry.is_regular_file()) runs += RunFile(entry.path());
      }
    } else {
      runs += RunFile(path);
    }
  }
  std::printf("ran %d inputs\n", runs);
  // An empty corpus means the test is not testing anything.
  return runs > 0 ? 0 : 1;
}
