/**
 * Test support: runs the real captoken server binary as a child process on a
 * free loopback port, and the real `captoken` CLI.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";

export const repoRoot = path.resolve(__dirname, "..", "..", "..", "..");

/** The server binary: $CAPTOKEN_SERVER, default <repo>/bazel-bin/service/server. */
export const serverPath = process.env.CAPTOKEN_SERVER || path.join(repoRoot, "bazel-bin", "service", "server");
/** The CLI binary: $CAPTOKEN_CLI, default <repo>/bazel-bin/client/cli/captoken. */
export const cliPath = process.env.CAPTOKEN_CLI || path.join(repoRoot, "bazel-bin", "client", "cli", "captoken");

export function requireBinaries(): void {
  for (const [name, file] of [["CAPTOKEN_SERVER", serverPath], ["CAPTOKEN_CLI", cliPath]] as const) {
    try {
      fs.accessSync(file, fs.constants.X_OK);
    } catch {
      throw new Error(
        `${file} is not an executable: build it (cd /work/main && bazel build //service:server //client/cli:captoken) or set ${name}`,
      );
    }
  }
}

/** A running server. */
export interface ServerProcess {
  /** "127.0.0.1:PORT" */
  address: string;
  port: number;
  /** The server's standard error so far (JSON log lines). */
  log: string[];
  /** Sends SIGTERM and resolves with the exit code (null if killed by a signal). */
  stop(): Promise<number | null>;
}

/**
 * Starts the server with a config in protobuf text format, waits for its
 * `listening` log line and returns the port it bound.
 */
export async function startServer(
  configText: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ServerProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "captoken-node-e2e-"));
  const configPath = path.join(dir, "captoken.textproto");
  fs.writeFileSync(configPath, configText);

  const child: ChildProcess = spawn(serverPath, [`--config=${configPath}`], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const log: string[] = [];
  const lines = readline.createInterface({ input: child.stderr! });
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the server did not log "listening" within ${timeoutMs} ms:\n${log.join("\n")}`));
    }, timeoutMs);
    lines.on("line", (line) => {
      log.push(line);
      let entry: { event?: unknown; port?: unknown };
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.event === "listening" && typeof entry.port === "number" && entry.port > 0) {
        clearTimeout(timer);
        resolve(entry.port);
      }
    });
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    void exited.then(([code, signal]) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (code ${code}, signal ${signal}) before listening:\n${log.join("\n")}`));
    });
  });

  return {
    address: `127.0.0.1:${port}`,
    port,
    log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const [code] = await exited;
      fs.rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Runs the CLI; resolves with its standard output, rejects with its standard error. */
export function runCli(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cliPath,
      args,
      { env: { ...process.env, ...env }, maxBuffer: 1 << 20, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${cliPath} ${args[0]} ${args[1] ?? ""} failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
  });
}
