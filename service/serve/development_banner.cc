#include "service/serve/development_banner.h"

#include "absl/strings/str_cat.h"
#include "service/config/server_config.h"

namespace captoken::serve {

std::string DevelopmentBanner(int port) {
  return absl::StrCat(
      "\n  DEVELOPMENT MODE: serving the built-in development account on "
      "127.0.0.1:",
      port, " only.\n", "  Account SID ", config::kDevelopmentAccountSid,
      ", auth token \"", config::kDevelopmentAuthToken, "\";\n",
      "  development API key ", config::kDevelopmentApiKeySid, ", secret \"",
      config::kDevelopmentApiKeySecret,
      "\"\n  (both public: never a real account or key).\n",
      "  Mint a token from another terminal:\n\n",
      "    ./dev captoken mint capability --server=127.0.0.1:", port,
      " \\\n      --request='{\"account_sid\":\"",
      config::kDevelopmentAccountSid,
      "\",\"scopes\":[{\"client_incoming\":{\"client_name\":\"alice\"}}]}'"
      "\n\n",
      "  or an Access Token (a TaskRouter token: `mint taskrouter`):\n\n",
      "    ./dev captoken mint access --server=127.0.0.1:", port,
      " \\\n      --request='{\"account_sid\":\"",
      config::kDevelopmentAccountSid,
      "\",\"identity\":\"alice\",\"grants\":[{\"video\":{}}]}'"
      "\n\n");
}

}  // namespace captoken::serve
