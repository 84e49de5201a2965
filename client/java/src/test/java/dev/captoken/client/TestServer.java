package dev.captoken.client;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real captoken server as a child process on a free loopback port, and the real CLI. {@code
 * CAPTOKEN_SERVER} and {@code CAPTOKEN_CLI} name the binaries (test.sh sets both).
 */
final class TestServer implements AutoCloseable {
  private static final Pattern PORT = Pattern.compile("\"port\":(\\d+)");

  final String serverPath = env("CAPTOKEN_SERVER", "/work/main/bazel-bin/service/server");
  final String cliPath = env("CAPTOKEN_CLI", "/work/main/bazel-bin/client/cli/captoken");
  final Path workDir;
  final String target;
  private final Process server;
  private final List<String> log = new CopyOnWriteArrayList<>();

  /**
   * Starts the server with {@code configLines} (protobuf text format; the listen address is added)
   * and {@code env} (the secrets), and waits for its {@code listening} line.
   */
  TestServer(List<String> configLines, Map<String, String> env) throws Exception {
    for (String binary : new String[] {serverPath, cliPath}) {
      assertTrue(binary + " is not an executable (build it with bazel build "
              + "//service:server //client/cli:captoken)",
          Files.isExecutable(Paths.get(binary)));
    }
    workDir = Files.createTempDirectory("captoken-java-e2e");
    Path config = workDir.resolve("server.textproto");
    List<String> lines = new ArrayList<>();
    lines.add("listen_address: \"127.0.0.1:0\"");
    lines.addAll(configLines);
    Files.write(config, lines, StandardCharsets.UTF_8);

    ProcessBuilder builder = new ProcessBuilder(serverPath, "--config=" + config);
    builder.environment().putAll(env);
    builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    server = builder.start();

    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(server.getErrorStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          log.add(line);
          if (!port.isDone() && line.contains("\"event\":\"listening\"")) {
            Matcher m = PORT.matcher(line);
            if (m.find()) {
              port.complete(Integer.parseInt(m.group(1)));
            }
          }
        }
      } catch (IOException e) {
        port.completeExceptionally(e);
      }
      port.completeExceptionally(new IllegalStateException("server exited before listening"));
    }, "captoken-server-stderr");
    reader.setDaemon(true);
    reader.start();
    try {
      target = "127.0.0.1:" + port.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      server.destroyForcibly();
      throw new AssertionError("server did not report `listening`: " + e + "\n" + log(), e);
    }
  }

  /** Sends SIGTERM and asserts a clean exit (status 0). */
  @Override
  public void close() throws Exception {
    // Through the ProcessHandle: Process.destroy() would also close our end of stderr at once.
    server.toHandle().destroy();
    assertTrue("server did not stop after SIGTERM\n" + log(), server.waitFor(30, TimeUnit.SECONDS));
    assertEquals("server exit status after SIGTERM\n" + log(), 0, server.exitValue());
    server.destroy();
    try (var files = Files.walk(workDir)) {
      files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
    }
  }

  String log() {
    return "server log:\n" + String.join("\n", log);
  }

  /**
   * {@code captoken sign KIND --request=@FILE SECRET_FLAG=SECRET_ENV --issued-at=ISSUED_AT} with
   * {@code SECRET_ENV=secret}; returns the token.
   */
  String cliSign(String kind, String json, String secretFlag, String secretEnv, String secret,
      long issuedAt) throws Exception {
    // Through a UTF-8 file: a command-line argument would depend on the JVM's locale.
    Path request = Files.createTempFile(workDir, "request", ".json");
    Files.write(request, json.getBytes(StandardCharsets.UTF_8));
    ProcessBuilder builder = new ProcessBuilder(cliPath, "sign", kind, "--request=@" + request,
        secretFlag + "=" + secretEnv, "--issued-at=" + issuedAt);
    builder.environment().put(secretEnv, secret);
    Process cli = builder.start();
    cli.getOutputStream().close();
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(cli.getErrorStream()));
    byte[] out = readAll(cli.getInputStream());
    if (!cli.waitFor(30, TimeUnit.SECONDS)) {
      cli.destroyForcibly();
      throw new TimeoutException("captoken sign did not finish");
    }
    String stderr = new String(err.get(), StandardCharsets.UTF_8);
    assertEquals("captoken sign " + kind + " failed: " + stderr + "\nrequest: " + json, 0,
        cli.exitValue());
    String token = new String(out, StandardCharsets.UTF_8);
    assertTrue("captoken sign printed no line: " + token, token.endsWith("\n"));
    return token.substring(0, token.length() - 1);
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      in.transferTo(buf);
      return buf.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }
}
