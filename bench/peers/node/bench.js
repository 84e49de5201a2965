#!/usr/bin/env node
// Times twilio-node's ClientCapability.toJwt() for the benchmark's typical
// token (bench/token_benchmark.cc: TypicalSpec, node profile): an incoming
// scope for "alice" and an outgoing scope with the parameters To and
// CallerId, under a frozen clock. bench/run.py runs it (after `npm ci`) and
// compares the rate with our signing rate measured in the same run.
//
//   node bench.js [--seconds=2] [--rounds=5]
//
// Prints one JSON object: the median rate over the rounds, per CPU second of
// this process (user + system: "per core", since toJwt() is synchronous) and
// per wall second, and the token itself, which run.py compares byte for byte
// with ours.

"use strict";

const RealDate = Date;
// The vectors' frozen clock (tests/vectors): 1700000000123 ms.
const FIXED_MS = 1700000000123;
class FixedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) {
      super(FIXED_MS);
    } else {
      super(...args);
    }
  }
  static now() {
    return FIXED_MS;
  }
}
global.Date = FixedDate;

const twilio = require("twilio");
const ClientCapability = twilio.jwt.ClientCapability;

const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
const AUTH_TOKEN = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
const APP_SID = "AP89abcdef0123456789abcdef01234567";

function arg(name, fallback) {
  const prefix = "--" + name + "=";
  const found = process.argv.find((a) => a.startsWith(prefix));
  return found === undefined ? fallback : Number(found.slice(prefix.length));
}

// What a user writes: build the capability, add the scopes, sign.
function mint() {
  const capability = new ClientCapability({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
  });
  capability.addScope(new ClientCapability.IncomingClientScope("alice"));
  capability.addScope(
    new ClientCapability.OutgoingClientScope({
      applicationSid: APP_SID,
      params: { To: "+15551234567", CallerId: "client:alice" },
    }),
  );
  return capability.toJwt();
}

function cpuSeconds() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

function round(seconds) {
  let count = 0;
  const wallStart = process.hrtime.bigint();
  const cpuStart = cpuSeconds();
  const deadline = wallStart + BigInt(Math.round(seconds * 1e9));
  let sink = 0;
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 100; ++i) sink += mint().length;
    count += 100;
  }
  const wall = Number(process.hrtime.bigint() - wallStart) / 1e9;
  const cpu = cpuSeconds() - cpuStart;
  if (sink === 0) throw new Error("unreachable");
  return { perCpu: count / cpu, perWall: count / wall };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main() {
  const seconds = arg("seconds", 2);
  const rounds = arg("rounds", 5);
  const token = mint();
  round(Math.min(0.5, seconds)); // warm-up: let the JIT settle
  const results = [];
  for (let i = 0; i < rounds; ++i) results.push(round(seconds));
  console.log(
    JSON.stringify({
      peer: "twilio-node ClientCapability.toJwt()",
      twilio: require("twilio/package.json").version,
      jsonwebtoken: require("jsonwebtoken/package.json").version,
      node: process.version,
      tokens_per_cpu_second: median(results.map((r) => r.perCpu)),
      tokens_per_wall_second: median(results.map((r) => r.perWall)),
      rounds: rounds,
      token: token,
    }),
  );
}

main();
