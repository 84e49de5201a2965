#!/usr/bin/env bash
# The package as a Node user gets it: `npm pack`, then, in a new npm project
# outside the repository, `npm install ./captoken-client-….tgz` (its
# dependencies from the npm registry), and three programs there mint and
# verify a token from a development server: CommonJS (require), ESM
# (import), and TypeScript type-checked with `tsc --strict` against the
# package's own .d.ts, then run.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../package_test_lib.sh"

"$here/build.sh"
# --ignore-scripts: build.sh has just built dist/; prepack would only build
# it again.
tarball=$(cd "$here" && npm pack --silent --ignore-scripts --pack-destination "$work")
mkdir "$work/app"
cd "$work/app"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "$work/$tarball"
check_version "the installed @captoken/client" "$(node -p 'require("@captoken/client/package.json").version')"
# The TypeScript the client itself is compiled with (client/node/package.json).
npm install --silent --no-audit --no-fund --save-dev typescript@~5.9.3 @types/node@^20.19.0

cat >mint.cjs <<'JS'
const { TokenClient, clientIncoming, videoGrant, TokenKind } = require("@captoken/client");
// Resolved from this project's node_modules, not the repository.
if (!require.resolve("@captoken/client").startsWith(`${__dirname}/node_modules/`)) {
  throw new Error(`@captoken/client resolved to ${require.resolve("@captoken/client")}`);
}
(async () => {
  const client = new TokenClient(process.argv[2], { deadlineMs: 5000 });
  try {
    const sid = "AC00000000000000000000000000000000";
    const access = await client.mintAccessToken({ accountSid: sid, identity: "alice", grants: [videoGrant("standup")] });
    const { token } = await client.mintCapabilityToken({ accountSid: sid, scopes: [clientIncoming("alice")] });
    console.log(token);
    const ok = (await client.verifyToken(token)).valid &&
      (await client.verifyToken(access.token)).kind === TokenKind.TOKEN_KIND_ACCESS;
    console.log(ok ? "valid" : "invalid");
  } finally {
    client.close();
  }
})().catch((err) => { console.error(err); process.exitCode = 1; });
JS

cat >mint.mjs <<'JS'
import { createRequire } from "node:module";
import { TokenClient, clientIncoming } from "@captoken/client";

// The package the import above found: this project's node_modules.
const resolved = createRequire(import.meta.url).resolve("@captoken/client");
if (!resolved.startsWith(`${process.cwd()}/node_modules/`)) {
  throw new Error(`@captoken/client resolved to ${resolved}`);
}
const client = new TokenClient(process.argv[2], { deadlineMs: 5000 });
try {
  const { token } = await client.mintCapabilityToken({
    accountSid: "AC00000000000000000000000000000000", scopes: [clientIncoming("alice")],
  });
  console.log(token);
  console.log((await client.verifyToken(token)).valid ? "valid" : "invalid");
} finally {
  client.close();
}
JS

cat >mint.ts <<'TS'
import { TokenClient, TokenServiceError, Status, clientIncoming, type MintedToken, type VerifyResult } from "@captoken/client";

async function main(address: string): Promise<void> {
  const client = new TokenClient(address, { deadlineMs: 5000 });
  try {
    const minted: MintedToken = await client.mintCapabilityToken({
      accountSid: "AC00000000000000000000000000000000",
      scopes: [clientIncoming("alice")],
      ttlSeconds: 600,
    });
    const verdict: VerifyResult = await client.verifyToken(minted.token);
    console.log(minted.token);
    console.log(verdict.valid ? "valid" : "invalid");
    // The package's types are real, not `any`: a wrong field type must not
    // type-check (tsc fails on an @ts-expect-error that expects nothing).
    // @ts-expect-error accountSid is a string
    const wrong = () => client.mintCapabilityToken({ accountSid: 1, scopes: [] });
    void wrong;
  } catch (err) {
    if (err instanceof TokenServiceError && err.code === Status.UNAVAILABLE) console.error("server down");
    throw err;
  } finally {
    client.close();
  }
}

main(process.argv[2] ?? "127.0.0.1:50051").catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
TS
cat >tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "node16",
    "moduleResolution": "node16",
    "strict": true,
    "outDir": "out",
    "types": ["node"]
  },
  "files": ["mint.ts"]
}
JSON
npx --no-install tsc --strict -p tsconfig.json

for program in mint.cjs mint.mjs out/mint.js; do
  node "$program" "$address" >"$work/out"
  check_minted "$work/out"
done
echo "ok: $tarball, installed with npm install into a new project, minted and verified from CommonJS, ESM and TypeScript (tsc --strict)"
