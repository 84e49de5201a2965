#!/usr/bin/env node
// Generates the TypeScript stubs in src/gen/ from the captoken .proto files
// with protoc and the ts-proto plugin. Run by `npm run build` (via
// `npm run generate`); the output is git-ignored and never edited by hand.
//
// Environment:
//   PROTOC              the protoc binary (default /usr/bin/protoc, else PATH)
//   CAPTOKEN_PROTO_DIR  the proto root holding captoken/v1/*.proto
//                       (default ../../proto, the repository's)
"use strict";

const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const pkgDir = path.resolve(__dirname, "..");
const protoRoot = path.resolve(
  process.env.CAPTOKEN_PROTO_DIR || path.join(pkgDir, "..", "..", "proto"),
);
const outDir = path.join(pkgDir, "src", "gen");
const plugin = path.join(
  pkgDir, "node_modules", ".bin",
  process.platform === "win32" ? "protoc-gen-ts_proto.cmd" : "protoc-gen-ts_proto",
);

const protoc =
  process.env.PROTOC || (fs.existsSync("/usr/bin/protoc") ? "/usr/bin/protoc" : "protoc");

// ts-proto options: grpc-js client stubs; Timestamp as Date; Duration with a
// proto3-JSON toJSON ("600s"); oneofs as `{ $case, value }` unions; message
// fields optional (`ttl?: Duration`); int64 as number (seconds fit).
const tsProtoOptions = [
  "outputServices=grpc-js",
  "esModuleInterop=true",
  "env=node",
  "useDate=true",
  "forceLong=number",
  "oneof=unions-value",
  "useOptionals=messages",
  "useExactTypes=false",
  "outputTypeRegistry=false",
];

const protoDir = path.join(protoRoot, "captoken", "v1");
if (!fs.existsSync(protoDir)) {
  console.error(`generate: no ${protoDir} (set CAPTOKEN_PROTO_DIR)`);
  process.exit(1);
}
const protos = fs
  .readdirSync(protoDir)
  .filter((name) => name.endsWith(".proto"))
  .sort()
  .map((name) => path.join("captoken", "v1", name));

const includes = ["-I", protoRoot];
// Debian's protoc finds the well-known types (google/protobuf/*.proto) in
// /usr/include, shipped by libprotobuf-dev; say so explicitly.
for (const dir of ["/usr/include", "/usr/local/include"]) {
  if (fs.existsSync(path.join(dir, "google", "protobuf", "duration.proto"))) {
    includes.push("-I", dir);
  }
}

fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });

const args = [
  `--plugin=protoc-gen-ts_proto=${plugin}`,
  ...includes,
  `--ts_proto_out=${outDir}`,
  `--ts_proto_opt=${tsProtoOptions.join(",")}`,
  ...protos,
];
try {
  execFileSync(protoc, args, { cwd: protoRoot, stdio: "inherit" });
} catch (err) {
  console.error(`generate: ${protoc} failed: ${err.message}`);
  process.exit(1);
}
console.log(`generate: ${protos.length} protos -> ${path.relative(pkgDir, outDir)}/`);
