# Test helpers: the real captoken server as a child process, `captoken sign`,
# and a TCP listener that never answers.
require "json"
require "open3"
require "socket"
require "tmpdir"

module CaptokenTest
  REPO = File.expand_path("../../..", __dir__)
  SERVER = ENV.fetch("CAPTOKEN_SERVER", File.join(REPO, "bazel-bin/service/server"))
  CLI = ENV.fetch("CAPTOKEN_CLI", File.join(REPO, "bazel-bin/client/cli/captoken"))

  # $CAPTOKEN_SERVER --config=... on a free loopback port; the port comes
  # from its {"event":"listening",...,"port":N} log line. Standard error is
  # drained by a thread for the whole run (an audit line per call would
  # otherwise fill the pipe and stall the server) and kept in #lines.
  class ServerProcess
    attr_reader :target, :lines

    def initialize(config_body, env)
      @dir = Dir.mktmpdir("captoken-rb-e2e-")
      config = File.join(@dir, "server.textproto")
      File.write(config, %(listen_address: "127.0.0.1:0"\n#{config_body}))
      @lines = Queue.new
      stdin, _stdout, @stderr, @thread = Open3.popen3(env, SERVER, "--config=#{config}")
      stdin.close
      port = Queue.new
      @reader = Thread.new do
        @stderr.each_line do |line|
          @lines << line
          port << Integer(JSON.parse(line)["port"]) if line.include?('"event":"listening"')
        end
        port << nil
      end
      found = Timeout.timeout(15) { port.pop }
      raise "the server did not start listening:\n#{output}" unless found

      @target = "127.0.0.1:#{found}"
    end

    def output
      lines = []
      lines << @lines.pop until @lines.empty?
      lines.join
    end

    # SIGTERM, then the exit status (the server drains and exits 0).
    def terminate
      Process.kill("TERM", @thread.pid)
      status = @thread.value
      @reader.join(5)
      FileUtils.remove_entry(@dir)
      status
    end
  end

  # Signs locally with `captoken sign KIND` at issued_at; returns the token.
  def self.cli_sign(kind, request_json, secret_flag, env, issued_at)
    out, err, status = Open3.capture3(env, CLI, "sign", kind, "--request=#{request_json}",
                                      secret_flag, "--issued-at=#{issued_at}")
    raise "captoken sign #{kind} failed: #{err}\nrequest: #{request_json}" unless status.success?
    raise "captoken sign printed more than a token: #{out.inspect}" unless out.count("\n") == 1

    out.chomp
  end

  # Accepts connections and reads what it is sent, never writing a byte: a
  # call to it can only end by its deadline.
  class SilentServer
    attr_reader :target

    def initialize
      @server = TCPServer.new("127.0.0.1", 0)
      @target = "127.0.0.1:#{@server.addr[1]}"
      @connections = []
      @thread = Thread.new do
        loop do
          connection = @server.accept
          @connections << connection
          Thread.new { connection.read rescue nil }
        end
      rescue IOError, Errno::EBADF
        nil
      end
    end

    def close
      @server.close
      @connections.each { |c| c.close rescue nil }
    end
  end
end
