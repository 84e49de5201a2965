/**
 * End-to-end test of the TaskRouter, Access Token and BatchMint calls of
 * @captoken/client against the real server binary and the real `captoken`
 * CLI (`captoken sign taskrouter|access`). Run by client/node/test.sh.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as net from "node:net";
import { after, before, describe, it } from "node:test";

import {
  AccessTokenRequest,
  buildAccessTokenRequest,
  buildCapabilityRequest,
  buildTaskRouterRequest,
  CapabilityRequest,
  chatGrant,
  clientIncoming,
  playbackGrant,
  Profile,
  Status,
  syncGrant,
  TaskRouterPolicySet,
  taskRouterGrant,
  taskRouterPolicy,
  TaskRouterRequest,
  TokenClient,
  TokenKind,
  TokenServiceError,
  videoGrant,
  voiceGrant,
  type BatchMintItem,
  type MintAccessTokenRequest,
  type MintedToken,
  type MintTaskRouterTokenRequest,
} from "../src/index";
import { requireBinaries, runCli, startServer, type ServerProcess } from "./server_process";

const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
const UNKNOWN = "AC11111111111111111111111111111111";
const WORKSPACE = "WS0123456789abcdef0123456789abcdef";
const WORKER = "WK0123456789abcdef0123456789abcdef";
const QUEUE = "WQ0123456789abcdef0123456789abcdef";
const APP = "AP89abcdef0123456789abcdef01234567";
const CREDENTIAL = "CR0123456789abcdef0123456789abcdef";
const SERVICE = "IS0123456789abcdef0123456789abcdef";
const SYNC_SERVICE = "ISfedcba9876543210fedcba9876543210";
const ROLE = "RL0123456789abcdef0123456789abcdef";
// The account's API keys, in config order: a retired (verify-only) key
// first, so the server's default is KEY, the first that may sign.
const RETIRED_KEY = "SK00000000000000000000000000000000";
const KEY = "SK0123456789abcdef0123456789abcdef";
const OTHER_KEY = "SKfedcba9876543210fedcba9876543210";
const UNKNOWN_KEY = "SK11111111111111111111111111111111";

const AUTH_ENV = "NODE_E2E_TOKENS_AUTH_TOKEN";
const KEY_ENVS: Record<string, string> = {
  [RETIRED_KEY]: "NODE_E2E_RETIRED_KEY_SECRET",
  [KEY]: "NODE_E2E_KEY_SECRET",
  [OTHER_KEY]: "NODE_E2E_OTHER_KEY_SECRET",
};
/** The flag of `captoken sign access` that names the API key secret's variable. */
const API_KEY_SECRET_FLAG = "--api-key-secret-env";
// Fresh secrets each run, so no token can be hard-coded.
const authToken = randomBytes(16).toString("hex");
const keySecrets: Record<string, string> = Object.fromEntries(
  Object.keys(KEY_ENVS).map((sid) => [sid, randomBytes(16).toString("hex")]),
);
const serverEnv: Record<string, string> = {
  [AUTH_ENV]: authToken,
  ...Object.fromEntries(Object.entries(KEY_ENVS).map(([sid, env]) => [env, keySecrets[sid]])),
};

const CONFIG = `listen_address: "127.0.0.1:0"
accounts { account_sid: "${ACCOUNT}" auth_token { env: "${AUTH_ENV}" }
  api_keys { sid: "${RETIRED_KEY}" secret { env: "${KEY_ENVS[RETIRED_KEY]}" } verify_only: true }
  api_keys { sid: "${KEY}" secret { env: "${KEY_ENVS[KEY]}" } }
  api_keys { sid: "${OTHER_KEY}" secret { env: "${KEY_ENVS[OTHER_KEY]}" } } }
`;

const TR = `https://taskrouter.twilio.com/v1/Workspaces/${WORKSPACE}`;
const S = TaskRouterPolicySet;

type TaskRouterCase = Omit<MintTaskRouterTokenRequest, "accountSid" | "workspaceSid" | "profile">;
const TASKROUTER_CASES: Record<string, TaskRouterCase> = {
  worker_python_sets: {
    channelId: WORKER,
    policySets: [
      S.TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS,
      S.TASK_ROUTER_POLICY_SET_UPDATE_ACTIVITIES,
      "TASK_ROUTER_POLICY_SET_UPDATE_RESERVATIONS",
    ],
  },
  worker_node_sets: {
    channelId: WORKER,
    policySets: [S.TASK_ROUTER_POLICY_SET_EVENT_BRIDGE, S.TASK_ROUTER_POLICY_SET_NODE_WORKER_DEFAULTS],
    friendlyName: "Alice Agent",
  },
  worker_explicit_policies: {
    channelId: WORKER,
    policySets: [S.TASK_ROUTER_POLICY_SET_EVENT_BRIDGE],
    policies: [
      taskRouterPolicy(`${TR}/Tasks/**`, {
        method: "POST",
        queryFilter: [["Zeta", true], ["Alpha", '{"required":false}']],
        postFilter: new Map([["ActivitySid", true]]),
      }),
      taskRouterPolicy(`${TR}/Activities`),
      taskRouterPolicy(`${TR}/Workers/${WORKER}`, { method: "DELETE" }),
    ],
    friendlyName: 'Zoë "&" Co ✓',
    version: "v1",
  },
  taskqueue: {
    channelId: QUEUE,
    policySets: [
      S.TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS,
      S.TASK_ROUTER_POLICY_SET_FETCH_SUBRESOURCES,
      S.TASK_ROUTER_POLICY_SET_UPDATE_SELF,
    ],
  },
  taskqueue_bare: { channelId: QUEUE },
  workspace: {
    channelId: WORKSPACE,
    policySets: [
      S.TASK_ROUTER_POLICY_SET_EVENT_BRIDGE,
      S.TASK_ROUTER_POLICY_SET_UPDATE_SUBRESOURCES,
      S.TASK_ROUTER_POLICY_SET_DELETE_SUBRESOURCES,
      S.TASK_ROUTER_POLICY_SET_DELETE_SELF,
    ],
    friendlyName: "Main",
  },
  workspace_python_defaults: { channelId: WORKSPACE, policySets: [S.TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS] },
};
/** Policies as verifyToken gives them back (explicit methods, boolean filters). */
const VERIFY_CASE: TaskRouterCase = {
  channelId: WORKER,
  policySets: [S.TASK_ROUTER_POLICY_SET_EVENT_BRIDGE],
  policies: [
    taskRouterPolicy(`${TR}/Tasks/**`, {
      method: "POST",
      queryFilter: [["Zeta", true], ["Alpha", false]],
      postFilter: [["ActivitySid", true]],
    }),
    taskRouterPolicy(`${TR}/Activities`, { method: "GET" }),
    taskRouterPolicy(`${TR}/Workers/${WORKER}`, { method: "DELETE" }),
  ],
  friendlyName: 'Zoë "&" Co ✓',
  version: "v1",
};
/** A deny policy: the python profile (and the server default) only. */
const DENY_CASE: TaskRouterCase = {
  channelId: WORKER,
  policySets: [S.TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS],
  policies: [taskRouterPolicy(`${TR}/Tasks/**`, { method: "DELETE", deny: true })],
};

const PLAYBACK =
  '{"requestCredentials":null,"playbackUrl":"https://example.com/p.m3u8",' +
  '"playerStreamerSid":"VJ0123456789abcdef0123456789abcdef"}';
const VOICE = voiceGrant({
  incomingAllow: true,
  outgoingApplicationSid: APP,
  outgoingApplicationParams: [["To", "+1 555 123 4567"], ["n", 42], ["Zoë", "a&b"]],
  pushCredentialSid: CREDENTIAL,
  endpointId: "alice-web",
});
const CHAT = chatGrant({ serviceSid: SERVICE, endpointId: "alice:web", deploymentRoleSid: ROLE, pushCredentialSid: CREDENTIAL });
const SYNC = syncGrant({ serviceSid: SYNC_SERVICE, endpointId: "sync-1" });
const TASKROUTER_GRANT = taskRouterGrant({ workspaceSid: WORKSPACE, workerSid: WORKER, role: "worker" });

type AccessCase = Omit<MintAccessTokenRequest, "accountSid" | "profile">;
const ACCESS_CASES: Record<string, AccessCase> = {
  identity_only: { identity: "alice", apiKeySid: KEY },
  voice: { identity: "alice", grants: [VOICE], apiKeySid: KEY },
  voice_outgoing_without_params: {
    identity: "alice",
    grants: [voiceGrant({ outgoingApplicationSid: APP })],
    apiKeySid: KEY,
  },
  chat_video_sync_other_key: { identity: "bob_smith", grants: [CHAT, videoGrant("standup"), SYNC], apiKeySid: OTHER_KEY },
  every_grant: {
    identity: "agent 7",
    apiKeySid: KEY,
    grants: [VOICE, CHAT, videoGrant(), SYNC, TASKROUTER_GRANT, playbackGrant(PLAYBACK)],
  },
  repeated_kind_and_region: {
    identity: "zoë 😀",
    apiKeySid: KEY,
    region: "ie1",
    grants: [videoGrant("first"), CHAT, videoGrant("second")],
  },
  not_before: {
    identity: "carol",
    apiKeySid: KEY,
    grants: [TASKROUTER_GRANT],
    notBefore: new Date((Math.floor(Date.now() / 1000) - 60) * 1000),
  },
};

const PROFILES: { name: string; profile?: Profile }[] = [
  { name: "server default", profile: undefined },
  { name: "PROFILE_TWILIO_PYTHON", profile: Profile.PROFILE_TWILIO_PYTHON },
  { name: "PROFILE_TWILIO_NODE", profile: Profile.PROFILE_TWILIO_NODE },
];

interface Lifetime {
  name: string;
  ttlSeconds?: number;
  expireTime?: Date;
}
const EXPIRE_AT = new Date((Math.floor(Date.now() / 1000) + 1800) * 1000);
const LIFETIMES: Lifetime[] = [
  { name: "default ttl" },
  { name: "ttl 600 s", ttlSeconds: 600 },
  { name: "ttl 24 h", ttlSeconds: 86400 },
  { name: "expire time", expireTime: EXPIRE_AT },
];

function segment(token: string, index: number): Record<string, any> {
  const parts = token.split(".");
  assert.equal(parts.length, 3, "a compact JWT has three segments");
  return JSON.parse(Buffer.from(parts[index], "base64url").toString("utf8"));
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** `captoken sign capability|taskrouter|access` of the same request, at the same second. */
async function cliSign(item: BatchMintItem, issuedAt: number): Promise<string> {
  let args: string[];
  let env: Record<string, string>;
  if (item.capability) {
    const json = JSON.stringify(CapabilityRequest.toJSON(buildCapabilityRequest(item.capability)));
    args = ["capability", `--request=${json}`, `--auth-token-env=${AUTH_ENV}`];
    env = { [AUTH_ENV]: authToken };
  } else if (item.taskRouter) {
    const json = JSON.stringify(TaskRouterRequest.toJSON(buildTaskRouterRequest(item.taskRouter)));
    args = ["taskrouter", `--request=${json}`, `--auth-token-env=${AUTH_ENV}`];
    env = { [AUTH_ENV]: authToken };
  } else {
    const request = buildAccessTokenRequest(item.access!);
    const sid = request.apiKeySid || KEY;
    const json = JSON.stringify(AccessTokenRequest.toJSON(request));
    args = ["access", `--request=${json}`, `${API_KEY_SECRET_FLAG}=${KEY_ENVS[sid]}`];
    env = { [KEY_ENVS[sid]]: keySecrets[sid] };
  }
  const out = await runCli(["sign", ...args, `--issued-at=${issuedAt}`], env);
  assert.ok(out.endsWith("\n") && out.indexOf("\n") === out.length - 1, `one line: ${out}`);
  return out.slice(0, -1);
}

function checkMinted(minted: MintedToken, profile: Profile | undefined, lifetime: Lifetime, started: number): void {
  const issuedAt = seconds(minted.issueTime);
  assert.ok(issuedAt >= Math.floor(started / 1000) && issuedAt <= Date.now() / 1000, "issue time is now");
  assert.equal(minted.profile, profile ?? Profile.PROFILE_TWILIO_PYTHON);
  const wantExp = lifetime.expireTime ? seconds(lifetime.expireTime) : issuedAt + (lifetime.ttlSeconds ?? 3600);
  assert.equal(seconds(minted.expireTime), wantExp);
  assert.equal(segment(minted.token, 1).exp, wantExp);
  assert.match(minted.tokenFingerprint, /^[0-9a-f]{16}$/);
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
  assert.equal(caught.code, code, `code ${caught.codeName} (${caught.details})`);
  if (detailsPattern) assert.match(caught.details, detailsPattern);
  for (const secret of [authToken, ...Object.values(keySecrets)]) assert.ok(!caught.details.includes(secret));
  return caught;
}

describe("TaskRouter, Access Token and BatchMint calls against the real server", { timeout: 180_000 }, () => {
  let server: ServerProcess;
  let client: TokenClient;

  before(async () => {
    requireBinaries();
    server = await startServer(CONFIG, serverEnv);
    client = new TokenClient(server.address, { deadlineMs: 10_000 });
  });

  after(async () => {
    client?.close();
    if (server) {
      const code = await server.stop();
      assert.equal(code, 0, `the server exits 0 on SIGTERM; its log:\n${server.log.join("\n")}`);
    }
  });

  describe("mintTaskRouterToken gives the CLI's bytes", () => {
    const cases: [string, TaskRouterCase, Profile | undefined, string][] = [];
    for (const [name, c] of Object.entries(TASKROUTER_CASES)) {
      for (const p of PROFILES) cases.push([name, c, p.profile, p.name]);
    }
    for (const p of PROFILES.slice(0, 2)) cases.push(["worker_deny", DENY_CASE, p.profile, p.name]);
    for (const [name, c, profile, profileName] of cases) {
      for (const lifetime of LIFETIMES) {
        it(`${name}, ${profileName}, ${lifetime.name}`, async () => {
          const request: MintTaskRouterTokenRequest = {
            accountSid: ACCOUNT,
            workspaceSid: WORKSPACE,
            ...c,
            profile,
            ttlSeconds: lifetime.ttlSeconds,
            expireTime: lifetime.expireTime,
          };
          const started = Date.now();
          const minted = await client.mintTaskRouterToken(request);
          checkMinted(minted, profile, lifetime, started);
          assert.equal(minted.token, await cliSign({ taskRouter: request }, seconds(minted.issueTime)));

          const claims = segment(minted.token, 1);
          assert.equal(claims.iss, ACCOUNT);
          assert.equal(claims.account_sid, ACCOUNT);
          assert.equal(claims.workspace_sid, WORKSPACE);
          assert.equal(claims.channel, c.channelId);
          if (c.channelId.startsWith("WK")) assert.equal(claims.worker_sid, WORKER);
          if (c.channelId.startsWith("WQ")) assert.equal(claims.taskqueue_sid, QUEUE);
          const own = c.policies ?? [];
          if (own.length > 0) {
            const tail = (claims.policies as { url: string; allow: boolean }[]).slice(-own.length);
            assert.deepEqual(tail.map((p) => p.url), own.map((p) => p.url));
            assert.deepEqual(tail.map((p) => p.allow), own.map((p) => !p.deny));
          }
        });
      }
    }
  });

  describe("mintAccessToken gives the CLI's bytes", () => {
    for (const [name, c] of Object.entries(ACCESS_CASES)) {
      for (const { name: profileName, profile } of PROFILES) {
        for (const lifetime of LIFETIMES) {
          it(`${name}, ${profileName}, ${lifetime.name}`, async () => {
            const request: MintAccessTokenRequest = {
              accountSid: ACCOUNT,
              ...c,
              profile,
              ttlSeconds: lifetime.ttlSeconds,
              expireTime: lifetime.expireTime,
            };
            const started = Date.now();
            const minted = await client.mintAccessToken(request);
            checkMinted(minted, profile, lifetime, started);
            assert.equal(minted.token, await cliSign({ access: request }, seconds(minted.issueTime)));

            const header = segment(minted.token, 0);
            const claims = segment(minted.token, 1);
            assert.equal(header.cty, "twilio-fpa;v=1");
            assert.equal(header.twr, c.region);
            assert.equal(claims.iss, c.apiKeySid);
            assert.equal(claims.sub, ACCOUNT);
            assert.ok(String(claims.jti).startsWith(`${c.apiKeySid}-`), claims.jti);
            assert.equal(claims.grants.identity, c.identity);
            assert.equal(claims.nbf, c.notBefore ? seconds(c.notBefore) : undefined);
            if (name === "repeated_kind_and_region") {
              // A later grant of a kind replaces the earlier in its place.
              assert.deepEqual(claims.grants.video, { room: "second" });
              assert.deepEqual(Object.keys(claims.grants).filter((k) => k !== "identity"), ["video", "chat"]);
            }
          });
        }
      }
    }

    it("the default API key is the first that may sign", async () => {
      const minted = await client.mintAccessToken({ accountSid: ACCOUNT, identity: "alice", grants: [videoGrant()] });
      assert.equal(segment(minted.token, 1).iss, KEY);
      const verdict = await client.verifyToken(minted.token);
      assert.equal(verdict.valid, true);
      assert.equal(verdict.access?.apiKeySid, KEY);
    });
  });

  describe("verifyToken", () => {
    it("gives a TaskRouter token's kind and claims", async () => {
      const c = VERIFY_CASE;
      for (const profile of [Profile.PROFILE_TWILIO_PYTHON, Profile.PROFILE_TWILIO_NODE]) {
        const minted = await client.mintTaskRouterToken({ accountSid: ACCOUNT, workspaceSid: WORKSPACE, ...c, profile });
        for (const account of [undefined, ACCOUNT]) {
          const v = await client.verifyToken(minted.token, account);
          assert.equal(v.valid, true, v.failureName);
          assert.equal(v.kind, TokenKind.TOKEN_KIND_TASKROUTER);
          assert.equal(v.kindName, "TOKEN_KIND_TASKROUTER");
          assert.equal(v.accountSid, ACCOUNT);
          assert.equal(v.expireTime?.getTime(), minted.expireTime.getTime());
          assert.equal(v.access, undefined);
          assert.deepEqual(v.scopes, []);
          assert.equal(v.taskRouter?.workspaceSid, WORKSPACE);
          assert.equal(v.taskRouter?.channelId, WORKER);
          assert.equal(v.taskRouter?.version, "v1");
          assert.equal(v.taskRouter?.friendlyName, c.friendlyName);
          // The event bridge's GET and POST, then the request's own.
          assert.equal(v.taskRouter?.policies.length, 2 + c.policies!.length);
          assert.deepEqual(v.taskRouter?.policies.slice(2), c.policies);
        }
      }
    });

    it("gives an Access Token's kind and claims", async () => {
      const notBefore = new Date((Math.floor(Date.now() / 1000) - 30) * 1000);
      const grants = [VOICE, CHAT, videoGrant("standup"), SYNC, TASKROUTER_GRANT];
      for (const profile of [Profile.PROFILE_TWILIO_PYTHON, Profile.PROFILE_TWILIO_NODE]) {
        const minted = await client.mintAccessToken({
          accountSid: ACCOUNT,
          identity: "alice",
          grants,
          apiKeySid: OTHER_KEY,
          ttlSeconds: 300,
          region: "au1",
          notBefore,
          profile,
        });
        for (const account of [undefined, ACCOUNT]) {
          const v = await client.verifyToken(minted.token, account);
          assert.equal(v.valid, true, v.failureName);
          assert.equal(v.kind, TokenKind.TOKEN_KIND_ACCESS);
          assert.equal(v.accountSid, ACCOUNT);
          assert.equal(v.expireTime?.getTime(), minted.expireTime.getTime());
          assert.equal(v.taskRouter, undefined);
          const a = v.access!;
          assert.equal(a.apiKeySid, OTHER_KEY);
          assert.equal(a.identity, "alice");
          assert.equal(a.tokenId, segment(minted.token, 1).jti);
          assert.equal(a.region, "au1");
          assert.equal(a.notBefore?.getTime(), notBefore.getTime());
          assert.deepEqual(a.grants.map((g) => g.grant?.$case), ["voice", "chat", "video", "sync", "taskRouter"]);
          assert.deepEqual(a.grants.slice(1), grants.slice(1));
          const voice = a.grants[0].grant?.$case === "voice" ? a.grants[0].grant.value : undefined;
          assert.equal(voice?.incomingAllow, true);
          assert.equal(voice?.outgoingApplicationSid, APP);
          assert.deepEqual(JSON.parse(voice!.outgoingApplicationParamsJson), { To: "+1 555 123 4567", n: 42, Zoë: "a&b" });
        }
      }
    });

    it("tells the kinds apart, and finds a tampered Access Token invalid", async () => {
      const capability = await client.mintCapabilityToken({ accountSid: ACCOUNT, scopes: [clientIncoming("alice")] });
      const taskRouter = await client.mintTaskRouterToken({ accountSid: ACCOUNT, workspaceSid: WORKSPACE, channelId: QUEUE });
      const access = await client.mintAccessToken({ accountSid: ACCOUNT, identity: "alice", apiKeySid: KEY });
      const kinds = [];
      for (const t of [capability, taskRouter, access]) kinds.push((await client.verifyToken(t.token)).kindName);
      assert.deepEqual(kinds, ["TOKEN_KIND_CAPABILITY", "TOKEN_KIND_TASKROUTER", "TOKEN_KIND_ACCESS"]);
      const [h, p, sig] = access.token.split(".");
      const tampered = await client.verifyToken(`${h}.${p}.${(sig[0] === "A" ? "B" : "A") + sig.slice(1)}`);
      assert.equal(tampered.valid, false);
      assert.equal(tampered.failureName, "VERIFICATION_FAILURE_BAD_SIGNATURE");
      assert.equal(tampered.access, undefined);
    });
  });

  describe("errors", () => {
    const base: MintTaskRouterTokenRequest = { accountSid: ACCOUNT, workspaceSid: WORKSPACE, channelId: WORKER };
    const trCases: [RegExp, Partial<MintTaskRouterTokenRequest>][] = [
      [/account_sid/, { accountSid: "AC123" }],
      [/workspace_sid/, { workspaceSid: "WS123" }],
      [/channel_id/, { channelId: "CA0123456789abcdef0123456789abcdef" }],
      [/ttl/, { ttlSeconds: 0 }],
      [/policies\[0\]\.url/, { policies: [taskRouterPolicy("http://x/y")] }],
      [/policies\[1\]\.method/, { policies: [taskRouterPolicy(`${TR}/Tasks`), taskRouterPolicy(`${TR}/Tasks`, { method: "PATCH" })] }],
      [
        /policies\[0\]/,
        { profile: Profile.PROFILE_TWILIO_NODE, policies: [taskRouterPolicy(`${TR}/Tasks/**`, { deny: true })] },
      ],
    ];
    for (const [field, change] of trCases) {
      it(`TaskRouter: INVALID_ARGUMENT naming ${field.source}`, async () => {
        await assertRejects(client.mintTaskRouterToken({ ...base, ...change }), Status.INVALID_ARGUMENT, field);
      });
    }
    it("TaskRouter: an unknown account is PERMISSION_DENIED", async () => {
      await assertRejects(client.mintTaskRouterToken({ ...base, accountSid: UNKNOWN }), Status.PERMISSION_DENIED);
    });

    const at: MintAccessTokenRequest = { accountSid: ACCOUNT, identity: "alice", apiKeySid: KEY };
    const atCases: [RegExp, Partial<MintAccessTokenRequest>][] = [
      [/identity/, { identity: "" }],
      [/account_sid/, { accountSid: "AC123" }],
      [/api_key_sid/, { apiKeySid: "SK123" }],
      [
        /grants\[1\]\.voice\.outgoing_application_sid/,
        { grants: [videoGrant(), voiceGrant({ outgoingApplicationSid: "AP1" })] },
      ],
      [/grants\[0\]\.chat\.service_sid/, { grants: [chatGrant({ serviceSid: "IS1" })] }],
      [
        /grants\[0\]\.voice\.outgoing_application_params/,
        { grants: [voiceGrant({ outgoingApplicationSid: APP, outgoingApplicationParams: '{"n":1.5}' })] },
      ],
      [/region/, { region: "eu west" }],
      [/ttl/, { ttlSeconds: 86401 }],
    ];
    for (const [field, change] of atCases) {
      it(`Access Token: INVALID_ARGUMENT naming ${field.source}`, async () => {
        await assertRejects(client.mintAccessToken({ ...at, ...change }), Status.INVALID_ARGUMENT, field);
      });
    }
    it("Access Token: an unknown account, unknown key or verify-only key is PERMISSION_DENIED", async () => {
      await assertRejects(client.mintAccessToken({ ...at, accountSid: UNKNOWN, apiKeySid: undefined }), Status.PERMISSION_DENIED);
      await assertRejects(client.mintAccessToken({ ...at, apiKeySid: UNKNOWN_KEY }), Status.PERMISSION_DENIED);
      await assertRejects(client.mintAccessToken({ ...at, apiKeySid: RETIRED_KEY }), Status.PERMISSION_DENIED);
    });
  });

  describe("batchMint", () => {
    it("keeps the order and gives each item its own code", async () => {
      const items: BatchMintItem[] = [
        { capability: { accountSid: ACCOUNT, scopes: [clientIncoming("alice")], profile: Profile.PROFILE_TWILIO_NODE } },
        {
          taskRouter: {
            accountSid: ACCOUNT,
            workspaceSid: WORKSPACE,
            channelId: WORKER,
            policySets: [S.TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS],
            ttlSeconds: 600,
          },
        },
        { access: { accountSid: ACCOUNT, identity: "", apiKeySid: KEY } },
        {
          access: {
            accountSid: ACCOUNT,
            identity: "alice",
            grants: [VOICE, videoGrant("standup")],
            apiKeySid: KEY,
            profile: Profile.PROFILE_TWILIO_NODE,
          },
        },
        { taskRouter: { accountSid: ACCOUNT, workspaceSid: WORKSPACE, channelId: "WK123" } },
        { capability: { accountSid: "AC123", scopes: [] } },
        { access: { accountSid: UNKNOWN, identity: "alice" } },
        {
          taskRouter: {
            accountSid: ACCOUNT,
            workspaceSid: WORKSPACE,
            channelId: QUEUE,
            policySets: [S.TASK_ROUTER_POLICY_SET_EVENT_BRIDGE],
            friendlyName: "Queue",
            profile: Profile.PROFILE_TWILIO_NODE,
          },
        },
      ];
      const want: [number, RegExp?][] = [
        [Status.OK],
        [Status.OK],
        [Status.INVALID_ARGUMENT, /identity/],
        [Status.OK],
        [Status.INVALID_ARGUMENT, /channel_id/],
        [Status.INVALID_ARGUMENT, /account_sid/],
        [Status.PERMISSION_DENIED],
        [Status.OK],
      ];
      const started = Date.now();
      const results = await client.batchMint(items);
      assert.equal(results.length, items.length);
      for (const [i, result] of results.entries()) {
        const [code, field] = want[i];
        assert.equal(result.code, code, `item ${i}: ${result.codeName} ${result.message}`);
        assert.equal(result.codeName, Status[code]);
        if (code === Status.OK) {
          assert.equal(result.ok, true);
          assert.equal(result.message, "");
          assert.equal(result.error, undefined);
          const minted = result.token!;
          assert.ok(seconds(minted.issueTime) >= Math.floor(started / 1000));
          assert.equal(minted.token, await cliSign(items[i], seconds(minted.issueTime)), `item ${i}`);
          assert.equal((await client.verifyToken(minted.token)).valid, true);
        } else {
          assert.equal(result.ok, false);
          assert.equal(result.token, undefined);
          assert.ok(result.message.length > 0);
          if (field) assert.match(result.message, field);
          assert.ok(result.error instanceof TokenServiceError);
          assert.equal(result.error.code, code);
          assert.equal(result.error.details, result.message);
        }
      }
    });

    it("an item fails as the single call would", async () => {
      const bad: MintTaskRouterTokenRequest = { accountSid: ACCOUNT, workspaceSid: "WS1", channelId: WORKER };
      const single = await assertRejects(client.mintTaskRouterToken(bad), Status.INVALID_ARGUMENT);
      const [result] = await client.batchMint([{ taskRouter: bad }]);
      assert.equal(result.code, single.code);
      assert.equal(result.message, single.details);
    });

    it("an empty or oversized batch fails the whole call", async () => {
      await assertRejects(client.batchMint([]), Status.INVALID_ARGUMENT);
      const item: BatchMintItem = { capability: { accountSid: ACCOUNT, scopes: [] } };
      await assertRejects(client.batchMint(Array(101).fill(item)), Status.INVALID_ARGUMENT);
      assert.equal((await client.batchMint(Array(100).fill(item))).length, 100);
    });

    it("an item with no kind, or two, is refused before sending", async () => {
      await assertRejects(client.batchMint([{} as BatchMintItem]), Status.INVALID_ARGUMENT, /requests\[0\]/);
      await assertRejects(
        client.batchMint([
          { capability: { accountSid: ACCOUNT, scopes: [] }, access: { accountSid: ACCOUNT, identity: "a" } } as unknown as BatchMintItem,
        ]),
        Status.INVALID_ARGUMENT,
        /requests\[0\]/,
      );
    });
  });
});

describe("the new calls carry the deadline", { timeout: 60_000 }, () => {
  it("DEADLINE_EXCEEDED from a server that never answers", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    const client = new TokenClient(`127.0.0.1:${port}`, { deadlineMs: 300 });
    try {
      const calls: [string, () => Promise<unknown>][] = [
        ["mintTaskRouterToken", () => client.mintTaskRouterToken({ accountSid: ACCOUNT, workspaceSid: WORKSPACE, channelId: WORKER })],
        ["mintAccessToken", () => client.mintAccessToken({ accountSid: ACCOUNT, identity: "alice" })],
        ["batchMint", () => client.batchMint([{ access: { accountSid: ACCOUNT, identity: "alice" } }])],
      ];
      for (const [name, call] of calls) {
        const started = Date.now();
        await assertRejects(call(), Status.DEADLINE_EXCEEDED);
        assert.ok(Date.now() - started < 20_000, `${name}: the deadline bounds the call`);
      }
    } finally {
      client.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
