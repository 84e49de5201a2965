#include "client/cli/usage.h"

namespace captoken::cli {
namespace {

constexpr char kOverview[] =
    R"(captoken: Twilio capability tokens, TaskRouter tokens and Access Tokens
from the command line.

Usage:
  captoken sign capability|taskrouter --request=JSON
                (--auth-token-env=VAR | --auth-token-file=PATH) [--issued-at=UNIX_SECONDS]
  captoken sign access --request=JSON
                (--api-key-secret-env=VAR | --api-key-secret-file=PATH) [--issued-at=UNIX_SECONDS]
  captoken mint capability|taskrouter|access|batch --server=HOST:PORT --request=JSON
                [--deadline=5s]
  captoken verify (--auth-token-env=VAR | --auth-token-file=PATH |
                   --api-key-secret-env=VAR | --api-key-secret-file=PATH)
                  [--account-sid=AC...] [--at=UNIX_SECONDS] [--leeway=DURATION] TOKEN
  captoken verify --server=HOST:PORT [--account-sid=AC...] [--deadline=5s] TOKEN
  captoken whoami --server=HOST:PORT
  captoken decode TOKEN

With --server, add --tls-ca-file=PATH for TLS, and --tls-cert-file=PATH
--tls-key-file=PATH for mutual TLS.

JSON is the kind's request in proto3 JSON form: a captoken.v1.CapabilityRequest,
TaskRouterRequest, AccessTokenRequest or (mint batch) BatchMintRequest, e.g.
  {"account_sid":"AC...","scopes":[{"client_incoming":{"client_name":"alice"}}],
   "ttl":"600s","profile":"PROFILE_TWILIO_NODE"}
Give it inline, as @PATH to read a file, or as - to read standard input.
TOKEN may be - to read it from standard input.

`sign` (locally, with the secret) and `mint` (through a server, which holds
the secrets) print the token alone; `mint batch` prints the results as JSON
and exits 0 only if every item was signed; `verify` prints the verdict as
JSON and exits 0 only for a valid token; `decode` prints header and claims
WITHOUT checking the signature. Errors go to standard error with exit status
1; they never contain a secret.

Run `captoken <command> --help` for one command's flags.
)";

constexpr char kSignHelp[] =
    R"(captoken sign capability|taskrouter|access: sign a token locally.

  --request=JSON              the request (inline, @PATH or -):
                                capability  a captoken.v1.CapabilityRequest
                                taskrouter  a captoken.v1.TaskRouterRequest
                                access      a captoken.v1.AccessTokenRequest,
                                            whose api_key_sid names the key
  --auth-token-env=VAR        capability, taskrouter: the account's auth token
                              from $VAR
  --auth-token-file=PATH      ...or from a file (one trailing newline ignored)
  --api-key-secret-env=VAR    access: the API key's secret from $VAR
  --api-key-secret-file=PATH  ...or from a file
  --issued-at=SECONDS         sign as if the clock read this Unix time (default: now)

Secrets are never taken from a flag's value (it would show in `ps`).
Prints the token alone on standard output. The request's profile chooses
whose bytes to reproduce: PROFILE_TWILIO_PYTHON (twilio-python 5.x, the
default), PROFILE_TWILIO_PYTHON_6 (6.x), PROFILE_TWILIO_PYTHON_7 (7.x to 9.x)
or PROFILE_TWILIO_NODE (3.x to 6.x). TTL defaults to 3600 s, at most 24 h.

Examples:
  captoken sign taskrouter --auth-token-env=TWILIO_AUTH_TOKEN --request=
    '{"account_sid":"AC...","workspace_sid":"WS...","channel_id":"WK...",
      "policy_sets":["TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS"]}'
  captoken sign access --api-key-secret-env=TWILIO_API_KEY_SECRET --request=
    '{"account_sid":"AC...","api_key_sid":"SK...","identity":"alice",
      "grants":[{"voice":{"incoming_allow":true}},{"video":{"room":"standup"}}]}'
)";

constexpr char kMintHelp[] =
    R"(captoken mint capability|taskrouter|access|batch: have a server sign tokens.

  --server=HOST:PORT        the captoken server
  --request=JSON            the request (inline, @PATH or -): a
                            captoken.v1.CapabilityRequest, TaskRouterRequest,
                            AccessTokenRequest or BatchMintRequest
  --deadline=DURATION       how long to wait for the server (default: 5s)
  --tls-ca-file=PATH        TLS: trust this CA bundle for the server
  --tls-cert-file=PATH      mutual TLS: present this client certificate...
  --tls-key-file=PATH       ...with this private key

Prints the token alone on standard output. An Access Token request may leave
api_key_sid empty: the server signs with the account's first API key.
`mint batch` prints the captoken.v1.BatchMintResponse as JSON (one result
per request, in order) and exits 0 only if every item was signed, e.g.
  --request='{"requests":[{"capability":{...}},{"access":{...}}]}'
Errors carry the server's status code (INVALID_ARGUMENT, PERMISSION_DENIED,
...) on standard error.
)";

constexpr char kVerifyHelp[] = R"(captoken verify: check a token of any kind.

Locally, with the secret that signed it:
  --auth-token-env=VAR        capability and TaskRouter tokens: the account's
                              auth token from $VAR
  --auth-token-file=PATH      ...or from a file
  --api-key-secret-env=VAR    Access Tokens: the secret of the API key named
                              in the token's iss, from $VAR
  --api-key-secret-file=PATH  ...or from a file
  --at=SECONDS                check expiry as of this Unix time (default: now)
  --leeway=DURATION           tolerated clock skew, up to 10m (default: 0s)
Or through a server, which holds the secrets:
  --server=HOST:PORT          the captoken server
  --deadline=DURATION         how long to wait for it (default: 5s)
Either way:
  --account-sid=AC...         require the token to belong to this account
  TOKEN                       the token, or - to read standard input

Prints a captoken.v1.VerifyTokenResponse as JSON: valid, the failure reason,
the kind, and (when the signature verified) the account, expiry and the
kind's claims (scopes, TaskRouter policies, or Access Token grants). Exits 0
only for a valid token.
)";

constexpr char kWhoAmIHelp[] =
    R"(captoken whoami: ask a server who it thinks you are and what you may do.

  --server=HOST:PORT        the captoken server
  --tls-ca-file=PATH        TLS: trust this CA bundle for the server
  --tls-cert-file=PATH      mutual TLS: present this client certificate...
  --tls-key-file=PATH       ...with this private key
  --deadline=DURATION       how long to wait for the server (default: 5s)

Prints a captoken.v1.GetCallerPolicyResponse: your identity as the server
sees it, where it came from, and the caller policy that applies to you.
)";

constexpr char kDecodeHelp[] =
    R"(captoken decode: show a token's header and claims WITHOUT verifying it.

  TOKEN                     the token, or - to read standard input

Prints {"verified":false,"header":{...},"payload":{...}}. Anyone can forge
what this shows; use `captoken verify` to trust it.
)";

}  // namespace

const char* UsageOf(absl::string_view command) {
  if (command == "sign") return kSignHelp;
  if (command == "mint") return kMintHelp;
  if (command == "verify") return kVerifyHelp;
  if (command == "decode") return kDecodeHelp;
  if (command == "whoami") return kWhoAmIHelp;
  return kOverview;
}

}  // namespace captoken::cli
