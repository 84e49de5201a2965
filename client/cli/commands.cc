#include "client/cli/commands.h"

#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/string_view.h"
#include "client/cli/cli_flags.h"
#include "client/cli/local_commands.h"
#include "client/cli/output.h"
#include "client/cli/remote_commands.h"
#include "client/cli/usage.h"

namespace captoken::cli {
namespace {

// Takes the first of `words` off, or "" if there is none.
std::string TakeFirst(std::vector<std::string>& words) {
  if (words.empty()) return "";
  std::string first = std::move(words.front());
  words.erase(words.begin());
  return first;
}

int RunSign(const std::vector<std::string>& args, absl::string_view kind) {
  if (kind == "capability") return RunSignCapability(args);
  if (kind == "taskrouter") return RunSignTaskRouter(args);
  if (kind == "access") return RunSignAccess(args);
  return Fail(
      "usage: captoken sign capability|taskrouter|access --request=JSON ...");
}

int RunMint(const std::vector<std::string>& args, absl::string_view kind) {
  if (kind == "capability") return RunMintCapability(args);
  if (kind == "taskrouter") return RunMintTaskRouter(args);
  if (kind == "access") return RunMintAccess(args);
  if (kind == "batch") return RunMintBatch(args);
  return Fail(
      "usage: captoken mint capability|taskrouter|access|batch "
      "--server=HOST:PORT --request=JSON ...");
}

}  // namespace

int RunCommand(std::vector<std::string> words) {
  if (words.empty()) {
    std::cerr << UsageOf("");
    return 1;
  }
  const std::string command = TakeFirst(words);
  if (command == "help") {
    std::cout << UsageOf(words.empty() ? "" : words.front());
    return 0;
  }
  if (command == "sign") {
    const std::string kind = TakeFirst(words);
    return RunSign(words, kind);
  }
  if (command == "mint") {
    const std::string kind = TakeFirst(words);
    return RunMint(words, kind);
  }
  if (command == "verify") {
    return absl::GetFlag(FLAGS_server).empty() ? RunVerifyLocally(words)
                                               : RunVerifyRemotely(words);
  }
  if (command == "decode") return RunDecode(words);
  if (command == "whoami") return RunWhoAmI(words);
  return Fail("unknown command; run `captoken --help`");
}

}  // namespace captoken::cli
