#!/usr/bin/env node
// The twilio-node oracle for tests/conformance/run.py: twilio-node 6.3.1
// (package-lock.json) signs each request, read as a JSON line
// ({"kind", "now", "request"} as the python oracles read them), under a
// clock frozen at that second (+123 ms, the vectors' clock), and writes
// {"token"}, {"error"} when the SDK throws, or {"inexpressible"}.
// A line {"verify": TOKEN, "secret", "now"} is checked with
// jsonwebtoken.verify (what twilio-node users decode with) instead.
//
//   node oracle.js AUTH_TOKEN API_KEY_SECRET < requests > answers

"use strict";

const readline = require("readline");

let fixedMs = 0;
const RealDate = Date;
class FixedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(fixedMs);
    else super(...args);
  }
  static now() {
    return fixedMs;
  }
}
global.Date = FixedDate;

const twilio = require("twilio");
const jsonwebtoken = require("jsonwebtoken");
const { ClientCapability, AccessToken } = twilio.jwt;
const { TaskRouterCapability } = twilio.jwt.taskrouter;
const { Policy } = TaskRouterCapability;
const util = twilio.jwt.taskrouter.util;

class Inexpressible extends Error {}

const POLICY_SETS = {
  TASK_ROUTER_POLICY_SET_EVENT_BRIDGE: "event_bridge",
  TASK_ROUTER_POLICY_SET_NODE_WORKER_DEFAULTS: "node_worker_defaults",
  TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS: "python_defaults",
  TASK_ROUTER_POLICY_SET_UPDATE_ACTIVITIES: "update_activities",
  TASK_ROUTER_POLICY_SET_UPDATE_RESERVATIONS: "update_reservations",
  TASK_ROUTER_POLICY_SET_FETCH_SUBRESOURCES: "fetch_subresources",
  TASK_ROUTER_POLICY_SET_UPDATE_SUBRESOURCES: "update_subresources",
  TASK_ROUTER_POLICY_SET_DELETE_SUBRESOURCES: "delete_subresources",
  TASK_ROUTER_POLICY_SET_UPDATE_SELF: "update_self",
  TASK_ROUTER_POLICY_SET_DELETE_SELF: "delete_self",
};

// A JavaScript object from ordered pairs, or Inexpressible when no object
// can hold them in that order (repeated keys; integer-like keys, which
// JavaScript always iterates first, in numeric order).
function objectOf(pairs) {
  const object = {};
  for (const [key, value] of pairs) {
    if (Object.prototype.hasOwnProperty.call(object, key)) {
      throw new Inexpressible("a repeated key");
    }
    object[key] = value;
  }
  const order = Object.keys(object);
  if (order.some((key, i) => key !== pairs[i][0])) {
    throw new Inexpressible("integer-like keys, which JavaScript orders first");
  }
  return object;
}

// JSON text as the object a node caller would pass: JSON.parse, checked the
// same way (member order and repeats) against the text's own order.
function jsonObject(text) {
  const value = JSON.parse(text);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Inexpressible("a JSON value that is not an object");
  }
  checkOrder(text, value);
  return value;
}

// Reparses `text` keeping every member in order, and compares with what
// JSON.parse kept, at every depth.
function checkOrder(text, value) {
  let at = 0;
  const ws = () => {
    while (/\s/.test(text[at])) at++;
  };
  const str = () => {
    const start = at;
    at++;
    while (text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
    at++;
    return JSON.parse(text.slice(start, at));
  };
  const walk = (node) => {
    ws();
    if (text[at] === "{") {
      at++;
      const keys = [];
      ws();
      if (text[at] === "}") at++;
      else {
        for (;;) {
          ws();
          const key = str();
          ws();
          at++; // ':'
          keys.push(key);
          walk(node[key]);
          ws();
          if (text[at++] === "}") break;
        }
      }
      const kept = Object.keys(node);
      if (kept.length !== keys.length || kept.some((k, i) => k !== keys[i])) {
        throw new Inexpressible(
          "a JSON object JavaScript cannot hold in this order",
        );
      }
    } else if (text[at] === "[") {
      at++;
      ws();
      if (text[at] === "]") at++;
      else {
        for (let i = 0; ; i++) {
          walk(node[i]);
          ws();
          if (text[at++] === "]") break;
        }
      }
    } else if (text[at] === '"') {
      str();
    } else {
      while (at < text.length && !/[\s,\]}]/.test(text[at])) at++;
    }
  };
  walk(value);
}

function durationSeconds(text) {
  const m = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/.exec(text);
  if (!m) throw new Error("bad duration " + text);
  const value = Number(m[2]) + (m[3] ? Number("0." + m[3]) : 0);
  return m[1] ? -value : value;
}

function timestampSeconds(text) {
  return RealDate.parse(text) / 1000;
}

// The SDK's ttl option: the request's ttl or expire_time - now; undefined
// for the SDK's default.
function ttlOf(request, now) {
  if ("ttl" in request && "expire_time" in request) {
    throw new Inexpressible("ttl and expire_time together");
  }
  if ("ttl" in request) return durationSeconds(request.ttl);
  if ("expire_time" in request) {
    return timestampSeconds(request.expire_time) - now;
  }
  return undefined;
}

const pairsOf = (params) => (params || []).map((p) => [p.key || "", p.value || ""]);

function capability(request, now, authToken) {
  const token = new ClientCapability({
    accountSid: request.account_sid,
    authToken: authToken,
    ttl: ttlOf(request, now),
  });
  for (const scope of request.scopes || []) {
    if (scope.client_incoming) {
      token.addScope(
        new ClientCapability.IncomingClientScope(
          scope.client_incoming.client_name || "",
        ),
      );
    } else if (scope.client_outgoing) {
      const outgoing = scope.client_outgoing;
      const options = { applicationSid: outgoing.application_sid };
      if (outgoing.client_name) options.clientName = outgoing.client_name;
      const pairs = pairsOf(outgoing.params);
      if (pairs.length) options.params = objectOf(pairs);
      token.addScope(new ClientCapability.OutgoingClientScope(options));
    } else if (scope.event_stream) {
      const pairs = pairsOf(scope.event_stream.filters);
      token.addScope(
        new ClientCapability.EventStreamScope(
          pairs.length ? objectOf(pairs) : undefined,
        ),
      );
    } else {
      throw new Inexpressible("a scope of no kind");
    }
  }
  return token.toJwt();
}

function filters(list) {
  return objectOf(
    (list || []).map((f) => {
      if ("constraint_json" in f) return [f.name || "", jsonObject(f.constraint_json)];
      if ("required" in f) return [f.name || "", { required: f.required }];
      throw new Inexpressible("a filter without a constraint");
    }),
  );
}

function taskrouter(request, now, authToken) {
  const options = {
    accountSid: request.account_sid,
    authToken: authToken,
    workspaceSid: request.workspace_sid,
    channelId: request.channel_id,
    ttl: ttlOf(request, now),
  };
  if (request.friendly_name) options.friendlyName = request.friendly_name;
  if (request.version) options.version = request.version;
  const token = new TaskRouterCapability(options);
  const version = request.version || "v1";
  const ws = request.workspace_sid || "";
  const ch = request.channel_id || "";
  const workspace = `https://taskrouter.twilio.com/${version}/Workspaces/${ws}`;
  const prefix = ch.slice(0, 2);
  const resource = {
    WK: `${workspace}/Workers/${ch}`,
    WQ: `${workspace}/TaskQueues/${ch}`,
    WS: workspace,
  }[prefix];
  const allow = (url, method, postFilter) =>
    new Policy({ url, method, allow: true, postFilter });
  for (const name of request.policy_sets || []) {
    const set = POLICY_SETS[name];
    if (!set) throw new Inexpressible("policy set " + name);
    if (set !== "event_bridge" && !resource) {
      throw new Inexpressible("a standard policy set without a known channel");
    }
    const sets = {
      event_bridge: () =>
        util.defaultEventBridgePolicies(request.account_sid, ch),
      node_worker_defaults: () => util.defaultWorkerPolicies(version, ws, ch),
      // Python's sets, written with node's Policy.
      python_defaults: () => [
        ...util.defaultEventBridgePolicies(request.account_sid, ch),
        allow(resource, "GET"),
        ...(prefix === "WK"
          ? util.defaultWorkerPolicies(version, ws, ch).slice(0, 3)
          : []),
      ],
      update_activities: () => [
        allow(resource, "POST", { ActivitySid: { required: true } }),
      ],
      update_reservations: () => [
        allow(`${workspace}/Tasks/**`, "POST"),
        allow(`${resource}/Reservations/**`, "POST"),
      ],
      fetch_subresources: () => [allow(`${resource}/**`, "GET")],
      update_subresources: () => [allow(`${resource}/**`, "POST")],
      delete_subresources: () => [allow(`${resource}/**`, "DELETE")],
      update_self: () => [allow(resource, "POST")],
      delete_self: () => [allow(resource, "DELETE")],
    };
    if (
      ["node_worker_defaults", "update_activities", "update_reservations"].includes(set) &&
      prefix !== "WK"
    ) {
      throw new Inexpressible(set + " for a channel that is not a worker");
    }
    for (const policy of sets[set]()) token.addPolicy(policy);
  }
  for (const p of request.policies || []) {
    token.addPolicy(
      new Policy({
        url: p.url,
        method: p.method,
        queryFilter: filters(p.query_filter),
        postFilter: filters(p.post_filter),
        allow: !p.deny,
      }),
    );
  }
  return token.toJwt();
}

function grantOf(grant) {
  if (grant.voice) {
    const v = grant.voice;
    return new AccessToken.VoiceGrant({
      incomingAllow: v.incoming_allow,
      outgoingApplicationSid: v.outgoing_application_sid,
      outgoingApplicationParams: v.outgoing_application_params_json
        ? jsonObject(v.outgoing_application_params_json)
        : undefined,
      pushCredentialSid: v.push_credential_sid,
      endpointId: v.endpoint_id,
    });
  }
  if (grant.chat) {
    const c = grant.chat;
    return new AccessToken.ChatGrant({
      serviceSid: c.service_sid,
      endpointId: c.endpoint_id,
      deploymentRoleSid: c.deployment_role_sid,
      pushCredentialSid: c.push_credential_sid,
    });
  }
  if (grant.video) {
    if (grant.video.configuration_profile_sid) {
      throw new Inexpressible("VideoGrant has no configuration_profile_sid");
    }
    return new AccessToken.VideoGrant({ room: grant.video.room });
  }
  if (grant.sync) {
    return new AccessToken.SyncGrant({
      serviceSid: grant.sync.service_sid,
      endpointId: grant.sync.endpoint_id,
    });
  }
  if (grant.task_router) {
    const t = grant.task_router;
    return new AccessToken.TaskRouterGrant({
      workspaceSid: t.workspace_sid,
      workerSid: t.worker_sid,
      role: t.role,
    });
  }
  if (grant.playback) {
    const text = grant.playback.grant_json;
    return new AccessToken.PlaybackGrant({
      grant: text ? jsonObject(text) : undefined,
    });
  }
  throw new Inexpressible("a grant of no kind");
}

function access(request, now, secret) {
  const options = {
    identity: request.identity,
    ttl: ttlOf(request, now),
    region: request.region,
  };
  if ("not_before" in request) {
    if (request.omit_not_before) {
      throw new Inexpressible("not_before and omit_not_before together");
    }
    options.nbf = timestampSeconds(request.not_before);
  }
  const token = new AccessToken(
    request.account_sid,
    request.api_key_sid,
    secret,
    options,
  );
  for (const grant of request.grants || []) token.addGrant(grantOf(grant));
  return token.toJwt();
}

function answer(line, secrets) {
  const c = JSON.parse(line);
  try {
    if ("verify" in c) {
      fixedMs = c.now * 1000;
      jsonwebtoken.verify(c.verify, c.secret, {
        algorithms: ["HS256"],
        clockTimestamp: c.now,
      });
      return { ok: true };
    }
    fixedMs = c.now * 1000 + 123;
    if (c.kind === "capability") {
      return { token: capability(c.request, c.now, secrets[0]) };
    }
    if (c.kind === "taskrouter") {
      return { token: taskrouter(c.request, c.now, secrets[0]) };
    }
    return { token: access(c.request, c.now, secrets[1]) };
  } catch (e) {
    if (e instanceof Inexpressible) return { inexpressible: e.message };
    return { error: `${e.name}: ${e.message}` };
  }
}

const secrets = process.argv.slice(2, 4);
const out = [];
readline
  .createInterface({ input: process.stdin, crlfDelay: Infinity })
  .on("line", (line) => {
    out.push(JSON.stringify(answer(line, secrets)));
    if (out.length >= 1000) process.stdout.write(out.splice(0).join("\n") + "\n");
  })
  .on("close", () => {
    if (out.length) process.stdout.write(out.join("\n") + "\n");
  });
