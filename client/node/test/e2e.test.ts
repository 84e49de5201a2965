/**
 * End-to-end test of @captoken/client against the real server binary and
 * the real `captoken` CLI. Run by client/node/test.sh (`node --test`).
 */
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import {
  CapabilityRequest,
  clientIncoming,
  clientOutgoing,
  eventStream,
  Profile,
  Status,
  TokenClient,
  TokenServiceError,
  buildCapabilityRequest,
  type CapabilityScope,
  type MintCapabilityTokenRequest,
} from "../src/index";
import { repoRoot, requireBinaries, runCli, startServer, type ServerProcess } from "./server_process";

const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
const OTHER_ACCOUNT = "ACfedcba9876543210fedcba9876543210";
const APP = "AP89abcdef0123456789abcdef01234567";
const AUTH_ENV = "NODE_E2E_AUTH_TOKEN";
// A fresh secret each run, so no token can be hard-coded.
const authToken = randomBytes(16).toString("hex");
const cliEnv = { [AUTH_ENV]: authToken };

const CONFIG = `listen_address: "127.0.0.1:0"
accounts { account_sid: "${ACCOUNT}" auth_token { env: "${AUTH_ENV}" } }
`;

// Parameters whose encoding differs between the profiles and needs escapes:
// spaces, &, =, +, %, /, ?, #, non-ASCII, an empty value; deliberately not
// in sorted order.
const TRICKY_PARAMS: [string, string][] = [
  ["To", "+1 555 123 4567"],
  ["Note", "a&b=c+d e"],
  ["Name", "Zoë 東京 ☎"],
  ["Empty", ""],
  ["Pct", "100% /?#"],
];
const FILTERS: [string, string][] = [
  ["CallSid", "CA0123"],
  ["Tag", "x=y&z w+é"],
];

const SCOPE_SETS: { name: string; scopes: CapabilityScope[] }[] = [
  {
    name: "every kind",
    scopes: [
      clientIncoming("alice"),
      clientOutgoing(APP, { params: TRICKY_PARAMS, clientName: "alice" }),
      eventStream(FILTERS),
    ],
  },
  {
    name: "outgoing with its own client name",
    scopes: [clientOutgoing(APP, { params: new Map([["Zeta", "1"], ["Alpha", "2 & 3"]]), clientName: "bob smith" })],
  },
  { name: "incoming with escapes", scopes: [clientIncoming("agent 7 & co=é+")] },
  {
    name: "bare outgoing and event stream, {key, value} params",
    scopes: [eventStream(), clientOutgoing(APP), eventStream([{ key: "AccountSid", value: ACCOUNT }])],
  },
];

const PROFILES: { name: string; profile?: Profile }[] = [
  { name: "PROFILE_TWILIO_PYTHON", profile: Profile.PROFILE_TWILIO_PYTHON },
  { name: "PROFILE_TWILIO_NODE", profile: Profile.PROFILE_TWILIO_NODE },
  { name: "server default", profile: undefined },
];

function payloadOf(token: string): Record<string, unknown> {
  const parts = token.split(".");
  assert.equal(parts.length, 3, "a compact JWT has three segments");
  return JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
}

/** Signs the same request with the CLI at the same second. */
async function cliSign(request: MintCapabilityTokenRequest, issuedAt: number): Promise<string> {
  const json = JSON.stringify(CapabilityRequest.toJSON(buildCapabilityRequest(request)));
  const out = await runCli(
    ["sign", "capability", `--request=${json}`, `--auth-token-env=${AUTH_ENV}`, `--issued-at=${issuedAt}`],
    cliEnv,
  );
  return out.trim();
}

// The SDK reference cases (tests/vectors/python): their clock and auth token.
const VECTOR_NOW = 1700000000;
const VECTOR_AUTH_TOKEN = "f0e1d2c3b4a5968778695a4b3c2d1e0f";

interface PythonVector {
  token: string;
  payload_json: string;
  /** [method, args, kwargs] per SDK call, in order. */
  inputs: { calls: [string, string[], Record<string, string>][] };
}

function readVector(id: string): PythonVector {
  const file = path.join(repoRoot, "tests", "vectors", "python", `${id}.json`);
  return JSON.parse(readFileSync(file, "utf8")) as PythonVector;
}

/**
 * The case's token as its SDK would have signed it at `issuedAt` with
 * `secret`: its header bytes, its payload text with the clock-derived
 * numbers (now, now + 600, now + 3600) moved, signed again.
 */
function vectorTokenAt(vector: PythonVector, issuedAt: number, secret: string): string {
  const payload = vector.payload_json.replace(/\b(1700000000|1700000600|1700003600)\b/g, (n) =>
    String(Number(n) - VECTOR_NOW + issuedAt),
  );
  const input = `${vector.token.split(".")[0]}.${Buffer.from(payload, "utf8").toString("base64url")}`;
  const mac = createHmac("sha256", secret).update(input).digest("base64url");
  return `${input}.${mac}`;
}

async function assertRejects(promise: Promise<unknown>, code: number, detailsPattern?: RegExp): Promise<TokenServiceError> {
  let caught: unknown;
  await promise.then(
    () => assert.fail(`expected the call to fail with ${Status[code]}`),
    (err) => {
      caught = err;
    },
  );
  assert.ok(caught instanceof TokenServiceError, `expected a TokenServiceError, got ${String(caught)}`);
  assert.ok(caught instanceof Error);
  assert.equal(caught.code, code, `code ${caught.codeName} (${caught.details})`);
  assert.equal(caught.codeName, Status[code]);
  if (detailsPattern) assert.match(caught.details, detailsPattern);
  return caught;
}

describe("TokenClient against the real server", { timeout: 120_000 }, () => {
  let server: ServerProcess;
  let client: TokenClient;

  before(async () => {
    requireBinaries();
    server = await startServer(CONFIG, { [AUTH_ENV]: authToken });
    client = new TokenClient(server.address, { deadlineMs: 10_000 });
  });

  after(async () => {
    client?.close();
    if (server) {
      const code = await server.stop();
      assert.equal(code, 0, `the server exits 0 on SIGTERM; its log:\n${server.log.join("\n")}`);
    }
  });

  describe("mints the CLI's bytes", () => {
    for (const { name: profileName, profile } of PROFILES) {
      for (const ttlSeconds of [undefined, 600]) {
        for (const { name: scopesName, scopes } of SCOPE_SETS) {
          it(`${profileName}, ttl ${ttlSeconds ?? "default"}, ${scopesName}`, async () => {
            const request: MintCapabilityTokenRequest = { accountSid: ACCOUNT, scopes, ttlSeconds, profile };
            const minted = await client.mintCapabilityToken(request);
            const issuedAt = Math.floor(minted.issueTime.getTime() / 1000);
            assert.equal(minted.profile, profile ?? Profile.PROFILE_TWILIO_PYTHON);
            assert.equal(minted.expireTime.getTime() / 1000 - issuedAt, ttlSeconds ?? 3600);
            assert.match(minted.tokenFingerprint, /^[0-9a-f]{16}$/);
            assert.equal(minted.token, await cliSign(request, issuedAt));
            const payload = payloadOf(minted.token);
            assert.equal(payload.iss, ACCOUNT);
            assert.equal(payload.exp, issuedAt + (ttlSeconds ?? 3600));
          });
        }
      }
      it(`${profileName}, absolute expire time`, async () => {
        const expireTime = new Date((Math.floor(Date.now() / 1000) + 900) * 1000);
        const request: MintCapabilityTokenRequest = {
          accountSid: ACCOUNT,
          scopes: SCOPE_SETS[0].scopes,
          expireTime,
          profile,
        };
        const minted = await client.mintCapabilityToken(request);
        assert.equal(minted.expireTime.getTime(), expireTime.getTime());
        const issuedAt = Math.floor(minted.issueTime.getTime() / 1000);
        assert.equal(minted.token, await cliSign(request, issuedAt));
      });
    }

    it("accepts the profile by name", async () => {
      const minted = await client.mintCapabilityToken({
        accountSid: ACCOUNT,
        scopes: [clientIncoming("alice")],
        profile: "PROFILE_TWILIO_NODE",
      });
      assert.equal(minted.profile, Profile.PROFILE_TWILIO_NODE);
      assert.equal(payloadOf(minted.token).iat, Math.floor(minted.issueTime.getTime() / 1000));
    });

    it("keeps parameters and filters in the caller's order", async () => {
      const minted = await client.mintCapabilityToken({
        accountSid: ACCOUNT,
        scopes: [
          clientOutgoing(APP, { params: [["Zeta", "1"], ["Alpha", "2"], ["Mid", "3"]] }),
          eventStream([["Zulu", "a"], ["Bravo", "b"]]),
        ],
        profile: Profile.PROFILE_TWILIO_NODE,
      });
      const scope = String(payloadOf(minted.token).scope);
      const at = (s: string) => {
        const i = scope.indexOf(s);
        assert.ok(i >= 0, `${s} in ${scope}`);
        return i;
      };
      assert.ok(at("Zeta") < at("Alpha") && at("Alpha") < at("Mid"), scope);
      assert.ok(at("Zulu") < at("Bravo"), scope);
      assert.ok(at("client:outgoing") < at("stream:subscribe"), scope);
    });
  });

  describe("the twilio-python 6.x and 7.x-9.x profiles give the SDKs' bytes", () => {
    const cases = [
      { profile: Profile.PROFILE_TWILIO_PYTHON_6, id: "py6_cc05_outgoing_params_special_chars" },
      { profile: Profile.PROFILE_TWILIO_PYTHON_7, id: "py9_cc05_outgoing_params_special_chars" },
    ];
    for (const { profile, id } of cases) {
      it(id, async () => {
        const vector = readVector(id);
        // Moving a case to its own second gives its token back.
        assert.equal(vectorTokenAt(vector, VECTOR_NOW, VECTOR_AUTH_TOKEN), vector.token);
        // allow_client_outgoing(APP_SID, **params), params in order.
        assert.equal(vector.inputs.calls.length, 1);
        const [method, args, kwargs] = vector.inputs.calls[0];
        assert.equal(method, "allow_client_outgoing");
        const minted = await client.mintCapabilityToken({
          accountSid: ACCOUNT,
          scopes: [clientOutgoing(args[0], { params: Object.entries(kwargs) })],
          profile,
        });
        assert.equal(minted.profile, profile);
        const issuedAt = Math.floor(minted.issueTime.getTime() / 1000);
        assert.equal(minted.token, vectorTokenAt(vector, issuedAt, authToken));
      });
    }

    it("py9_cc16_ttl_600_no_nbf: omitNotBefore is nbf=None", async () => {
      const vector = readVector("py9_cc16_ttl_600_no_nbf");
      const minted = await client.mintCapabilityToken({
        accountSid: ACCOUNT,
        scopes: [clientIncoming("alice")],
        ttlSeconds: 600,
        profile: "PROFILE_TWILIO_PYTHON_7",
        omitNotBefore: true,
      });
      assert.equal(payloadOf(minted.token).nbf, undefined);
      const issuedAt = Math.floor(minted.issueTime.getTime() / 1000);
      assert.equal(minted.token, vectorTokenAt(vector, issuedAt, authToken));
    });
  });

  describe("errors", () => {
    it("a malformed account SID is INVALID_ARGUMENT naming the field", async () => {
      await assertRejects(
        client.mintCapabilityToken({ accountSid: "AC123", scopes: [clientIncoming("alice")] }),
        Status.INVALID_ARGUMENT,
        /account_sid/,
      );
    });

    it("a ttl of zero is INVALID_ARGUMENT naming the field", async () => {
      const err = await assertRejects(
        client.mintCapabilityToken({ accountSid: ACCOUNT, scopes: [clientIncoming("alice")], ttlSeconds: 0 }),
        Status.INVALID_ARGUMENT,
        /ttl/,
      );
      assert.match(err.message, /^INVALID_ARGUMENT: /);
    });

    it("a fractional ttl is INVALID_ARGUMENT from the server", async () => {
      await assertRejects(
        client.mintCapabilityToken({ accountSid: ACCOUNT, scopes: [], ttlSeconds: 1.5 }),
        Status.INVALID_ARGUMENT,
        /ttl/,
      );
    });

    it("a malformed application SID names its scope", async () => {
      await assertRejects(
        client.mintCapabilityToken({ accountSid: ACCOUNT, scopes: [clientIncoming("a"), clientOutgoing("AP1")] }),
        Status.INVALID_ARGUMENT,
        /scopes\[1\]\.client_outgoing\.application_sid/,
      );
    });

    it("a non-finite ttl is refused before sending", async () => {
      await assertRejects(
        client.mintCapabilityToken({ accountSid: ACCOUNT, scopes: [], ttlSeconds: Number.NaN }),
        Status.INVALID_ARGUMENT,
        /ttl/,
      );
    });

    it("an unknown account is PERMISSION_DENIED", async () => {
      await assertRejects(
        client.mintCapabilityToken({ accountSid: OTHER_ACCOUNT, scopes: [clientIncoming("alice")] }),
        Status.PERMISSION_DENIED,
      );
    });

    it("params must be an ordered list, not a plain object", () => {
      assert.throws(
        () => clientOutgoing(APP, { params: { To: "+1555" } as unknown as [string, string][] }),
        TypeError,
      );
    });
  });

  describe("verifyToken", () => {
    it("finds a minted token valid, and a tampered one not", async () => {
      const scopes = [clientIncoming("alice"), clientOutgoing(APP, { params: [["To", "+1555"]] })];
      const minted = await client.mintCapabilityToken({
        accountSid: ACCOUNT,
        scopes,
        ttlSeconds: 300,
        profile: Profile.PROFILE_TWILIO_NODE,
      });

      const verdict = await client.verifyToken(minted.token);
      assert.equal(verdict.valid, true, verdict.failureName);
      assert.equal(verdict.failureName, "VERIFICATION_FAILURE_UNSPECIFIED");
      assert.equal(verdict.accountSid, ACCOUNT);
      assert.equal(verdict.expireTime?.getTime(), minted.expireTime.getTime());
      assert.equal(verdict.issueTime?.getTime(), Math.floor(minted.issueTime.getTime() / 1000) * 1000);
      assert.deepEqual(verdict.scopes.map((s) => s.scope?.$case), ["clientIncoming", "clientOutgoing"]);

      assert.equal((await client.verifyToken(minted.token, ACCOUNT)).valid, true);

      const [header, payload, signature] = minted.token.split(".");
      const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
      const tampered = await client.verifyToken(`${header}.${payload}.${flipped}`);
      assert.equal(tampered.valid, false);
      assert.equal(tampered.failureName, "VERIFICATION_FAILURE_BAD_SIGNATURE");
    });

    it("an empty token is INVALID_ARGUMENT", async () => {
      await assertRejects(client.verifyToken(""), Status.INVALID_ARGUMENT);
    });
  });

  it("a closed client rejects with UNAVAILABLE", async () => {
    const closed = new TokenClient(server.address);
    closed.close();
    await assertRejects(closed.verifyToken("x"), Status.UNAVAILABLE);
  });
});

describe("deadline", { timeout: 60_000 }, () => {
  it("a server that never answers gives DEADLINE_EXCEEDED; a signal cancels", async () => {
    const sockets = new Set<net.Socket>();
    let accepted = 0;
    const silent = net.createServer((socket) => {
      accepted += 1;
      sockets.add(socket); // accept, read, never reply
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    const client = new TokenClient(`127.0.0.1:${port}`, { deadlineMs: 300 });
    try {
      const started = Date.now();
      await assertRejects(
        client.mintCapabilityToken({ accountSid: ACCOUNT, scopes: [clientIncoming("alice")] }),
        Status.DEADLINE_EXCEEDED,
      );
      assert.ok(Date.now() - started < 20_000, "the deadline bounds the call");
      assert.ok(accepted > 0, "the client connected, so the deadline (not a refused connection) ended the call");

      // An AbortSignal cancels a call that would otherwise wait for its deadline.
      const patient = new TokenClient(`127.0.0.1:${port}`, { deadlineMs: 30_000 });
      try {
        const abort = new AbortController();
        setTimeout(() => abort.abort(), 100);
        await assertRejects(
          patient.verifyToken("x", undefined, { signal: abort.signal }),
          Status.CANCELLED,
        );
      } finally {
        patient.close();
      }
    } finally {
      client.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
