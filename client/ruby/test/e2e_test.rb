# The Ruby client against the real server binary: tokens of every kind
# byte-equal to `captoken sign` at the same issue time, verification of each
# kind, the error codes, a mixed batch, and deadlines against a silent
# listener. Run by client/ruby/test.sh.
require "minitest/autorun"
require "securerandom"
require "base64"
require "timeout"
require "fileutils"
require "captoken"
require_relative "server_process"

ACCOUNT = "AC0123456789abcdef0123456789abcdef"
UNKNOWN_ACCOUNT = "AC11111111111111111111111111111111"
KEY = "SK0123456789abcdef0123456789abcdef"
APP = "AP89abcdef0123456789abcdef01234567"
WORKSPACE = "WS0123456789abcdef0123456789abcdef"
WORKER = "WK0123456789abcdef0123456789abcdef"
AUTH_TOKEN = SecureRandom.urlsafe_base64(24)
KEY_SECRET = SecureRandom.urlsafe_base64(24)
SECRETS = { "RB_E2E_AUTH_TOKEN" => AUTH_TOKEN, "RB_E2E_KEY_SECRET" => KEY_SECRET }.freeze

# One server for the whole file, stopped (and checked to drain cleanly) at exit.
SERVER = CaptokenTest::ServerProcess.new(
  %(accounts { account_sid: "#{ACCOUNT}" auth_token { env: "RB_E2E_AUTH_TOKEN" }) +
  %( api_keys { sid: "#{KEY}" secret { env: "RB_E2E_KEY_SECRET" } } }\n),
  SECRETS
)
Minitest.after_run do
  status = SERVER.terminate
  abort "the server exited #{status.inspect} after SIGTERM:\n#{SERVER.output}" unless status.success?
end

# Escapes that change the token's bytes (space, &, =, +, non-ASCII of 2, 3
# and 4 UTF-8 bytes, an empty value), deliberately unsorted: order is kept.
PARAMS = { "To" => "+1 555 123 4567", "From" => "a&b=c+d", "Grüße" => "世界 😀 100%", "Empty" => "" }.freeze
SCOPE_SETS = {
  "client_incoming" => [Captoken.client_incoming("alice")],
  "client_outgoing" => [Captoken.client_outgoing(APP, params: PARAMS, client_name: "bob smith")],
  "all_kinds" => [Captoken.client_incoming("zoë a&b"), Captoken.client_outgoing(APP, params: PARAMS.to_a),
                  Captoken.event_stream(filters: { "CallSid" => "CA123", "päth" => "/a b?c" })]
}.freeze
PROFILES = [nil, :twilio_python, :twilio_python_7, :twilio_node].freeze

class TokenClientTest < Minitest::Test
  def setup
    @client = Captoken::TokenClient.new(SERVER.target, deadline: 10)
  end

  def teardown
    @client.close
  end

  # What `captoken sign` gives for the request at the minted token's issue time.
  def signed_locally(kind, request, minted)
    flag = kind == "access" ? "--api-key-secret-env=RB_E2E_KEY_SECRET" : "--auth-token-env=RB_E2E_AUTH_TOKEN"
    CaptokenTest.cli_sign(kind, request.class.encode_json(request), flag, SECRETS, minted.issue_time.to_i)
  end

  def assert_code(code_name, pattern = nil)
    error = assert_raises(Captoken::TokenServiceError) { yield }
    assert_equal code_name, error.code_name
    assert_equal GRPC::Core::StatusCodes.const_get(code_name), error.code
    assert_match pattern, error.details if pattern
    error
  end

  def test_capability_tokens_match_local_signing
    checked = 0
    SCOPE_SETS.each do |name, scopes|
      PROFILES.each do |profile|
        [nil, 600].each do |ttl|
          request = Captoken.build_capability_request(ACCOUNT, scopes, ttl: ttl, profile: profile)
          minted = @client.mint(request)
          assert_equal signed_locally("capability", request, minted), minted.token, "#{name} #{profile} #{ttl}"
          # The same request goes to both, so only this catches a profile
          # the builder dropped (the server's default is twilio-python 5.x).
          assert_equal profile || :twilio_python, minted.profile
          checked += 1
        end
      end
    end
    assert_equal SCOPE_SETS.size * PROFILES.size * 2, checked
  end

  def test_taskrouter_and_access_tokens_match_local_signing
    [:twilio_python, :twilio_node].each do |profile|
      request = Captoken.build_taskrouter_request(
        ACCOUNT, WORKSPACE, WORKER, policy_sets: %i[python_defaults update_activities],
        policies: [Captoken.taskrouter_policy("https://taskrouter.twilio.com/v1/Workspaces/#{WORKSPACE}/Tasks/**",
                                              "POST", post_filter: { "Priority" => false, "Queue" => '{"x":1}' })],
        ttl: 3600, profile: profile
      )
      minted = @client.mint(request)
      assert_equal signed_locally("taskrouter", request, minted), minted.token, profile.to_s

      request = Captoken.build_access_token_request(
        ACCOUNT, "alice", [Captoken.voice_grant(incoming_allow: true, outgoing_application_sid: APP,
                                                outgoing_application_params: { "To" => "+15551234567" }),
                           Captoken.video_grant("standup"), Captoken.chat_grant(service_sid: "IS0123456789abcdef0123456789abcdef"),
                           Captoken.sync_grant(service_sid: "ISfedcba9876543210fedcba9876543210"),
                           Captoken.taskrouter_grant(workspace_sid: WORKSPACE, worker_sid: WORKER, role: "worker")],
        api_key_sid: KEY, ttl: 1800, region: "ie1", profile: profile
      )
      minted = @client.mint(request)
      assert_equal signed_locally("access", request, minted), minted.token, profile.to_s
    end
  end

  def test_mint_methods_fill_the_token
    before = Time.now.to_i
    minted = @client.mint_capability_token(ACCOUNT, [Captoken.client_incoming("alice")], ttl: 600,
                                           profile: :twilio_node)
    assert_equal 3, minted.token.split(".").size
    assert_equal :twilio_node, minted.profile
    assert_equal 600, (minted.expire_time - minted.issue_time).round
    assert_operator minted.issue_time.to_i, :>=, before - 1
    assert_match(/\A\h{16}\z/, minted.token_fingerprint)
    assert_equal minted.token, minted.to_s
    refute_includes minted.inspect, minted.token, "inspect must not leak the bearer token"
  end

  def test_verify_each_kind
    # The node profile: the python one copies the incoming client name into
    # the outgoing scope, so its scopes would not read back as sent.
    capability = @client.mint_capability_token(ACCOUNT, SCOPE_SETS["all_kinds"], ttl: 600, profile: :twilio_node)
    verdict = @client.verify_token(capability.token)
    assert verdict.valid?
    assert_nil verdict.failure
    assert_equal :capability, verdict.kind
    assert_equal ACCOUNT, verdict.account_sid
    assert_equal SCOPE_SETS["all_kinds"], verdict.scopes
    assert_equal capability.expire_time.to_i, verdict.expire_time.to_i

    worker = @client.mint_taskrouter_token(ACCOUNT, WORKSPACE, WORKER, policy_sets: [:python_defaults])
    verdict = @client.verify_token(worker.token, account_sid: ACCOUNT)
    assert verdict.valid?
    assert_equal :taskrouter, verdict.kind
    assert_equal WORKSPACE, verdict.taskrouter.workspace_sid
    assert_equal WORKER, verdict.taskrouter.channel_id
    refute_empty verdict.taskrouter.policies

    access = @client.mint_access_token(ACCOUNT, "carol", [Captoken.video_grant("standup")], region: "ie1")
    verdict = @client.verify_token(access.token)
    assert verdict.valid?
    assert_equal :access, verdict.kind
    assert_equal "carol", verdict.access.identity
    assert_equal KEY, verdict.access.api_key_sid
    assert_equal "ie1", verdict.access.region
    assert_equal "standup", verdict.access.grants.first.video.room
  end

  def test_bad_tokens_are_verdicts_not_errors
    token = @client.mint_capability_token(ACCOUNT, [Captoken.client_incoming("alice")]).token
    header, payload, signature = token.split(".")
    flipped = "#{header}.#{payload}.#{signature[0] == 'A' ? 'B' : 'A'}#{signature[1..]}"
    verdict = @client.verify_token(flipped)
    refute verdict.valid?
    assert_equal :bad_signature, verdict.failure

    assert_equal :malformed, @client.verify_token("not.a-token").failure
    # Pinning an account this server does not serve is refused like minting for it.
    assert_code(:PERMISSION_DENIED) { @client.verify_token(token, account_sid: UNKNOWN_ACCOUNT) }
  end

  def test_errors_keep_the_status_code
    assert_code(:INVALID_ARGUMENT, /account_sid/) do
      @client.mint_capability_token("not-a-sid", [Captoken.client_incoming("alice")])
    end
    assert_code(:INVALID_ARGUMENT, /ttl/) do
      @client.mint_capability_token(ACCOUNT, [Captoken.client_incoming("alice")], ttl: 0)
    end
    assert_code(:PERMISSION_DENIED) do
      @client.mint_access_token(UNKNOWN_ACCOUNT, "alice", [Captoken.video_grant])
    end
    assert_code(:INVALID_ARGUMENT) { @client.batch_mint([]) }
    # Wrong Ruby types fail before any call.
    assert_raises(TypeError) { @client.mint_capability_token(ACCOUNT, [Captoken.client_incoming(:alice)]) }
    assert_raises(ArgumentError) { Captoken.build_capability_request(ACCOUNT, [], profile: :twilio_ruby) }
  end

  def test_mixed_batch_answers_each_item_in_order
    results = @client.batch_mint([
      Captoken.build_capability_request(ACCOUNT, [Captoken.client_incoming("bob")], profile: :twilio_node),
      Captoken.build_capability_request("not-a-sid", [Captoken.client_incoming("bob")]),
      Captoken.build_taskrouter_request(ACCOUNT, WORKSPACE, WORKER),
      Captoken.build_access_token_request(UNKNOWN_ACCOUNT, "carol", [Captoken.sync_grant]),
      Captoken::V1::MintRequest.new(access: Captoken.build_access_token_request(ACCOUNT, "carol",
                                                                                 [Captoken.sync_grant]))
    ])
    assert_equal [true, false, true, false, true], results.map(&:ok?)
    assert_equal %i[capability capability taskrouter access access],
                 [results[0], results[0], results[2], results[4], results[4]].map { |r| @client.verify_token(r.value!.token).kind }
    assert_equal GRPC::Core::StatusCodes::INVALID_ARGUMENT, results[1].code
    assert_equal :INVALID_ARGUMENT, results[1].error.code_name
    assert_equal :PERMISSION_DENIED, results[3].error.code_name
    assert_raises(Captoken::TokenServiceError) { results[3].value! }
    assert_equal :twilio_node, results[0].token.profile
  end

  def test_every_call_has_a_deadline
    silent = CaptokenTest::SilentServer.new
    client = Captoken::TokenClient.new(silent.target, deadline: 0.5)
    calls = {
      capability: -> { client.mint_capability_token(ACCOUNT, [Captoken.client_incoming("a")]) },
      taskrouter: -> { client.mint_taskrouter_token(ACCOUNT, WORKSPACE, WORKER) },
      access: -> { client.mint_access_token(ACCOUNT, "a") },
      batch: -> { client.batch_mint([Captoken.build_taskrouter_request(ACCOUNT, WORKSPACE, WORKER)]) },
      verify: -> { client.verify_token("a.b.c") }
    }
    calls.each do |name, call|
      started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      error = assert_raises(Captoken::TokenServiceError, name.to_s) { call.call }
      elapsed = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
      assert_equal :DEADLINE_EXCEEDED, error.code_name, name.to_s
      assert_operator elapsed, :<, 5, "#{name} waited #{elapsed} s for a 0.5 s deadline"
    end
  ensure
    client&.close
    silent&.close
  end

  def test_open_with_a_block_closes_the_client
    opened = nil
    token = Captoken::TokenClient.open(SERVER.target) do |client|
      opened = client
      client.mint_capability_token(ACCOUNT, [Captoken.client_incoming("alice")]).token
    end
    assert @client.verify_token(token).valid?
    assert_raises(StandardError) { opened.verify_token(token) }
  end

  def test_one_client_many_threads
    tokens = Array.new(8) do |i|
      Thread.new { @client.mint_capability_token(ACCOUNT, [Captoken.client_incoming("t#{i}")]).token }
    end.map(&:value)
    assert_equal 8, tokens.uniq.size
    assert(tokens.all? { |t| @client.verify_token(t).valid? })
  end
end
