require "grpc"

module Captoken
  # A client of captoken.v1.TokenService. It owns one gRPC channel, puts a
  # deadline on every call and raises TokenServiceError (with the status
  # code) for every failed call. Thread-safe: create one and share it.
  #
  #   client = Captoken::TokenClient.new("127.0.0.1:50051", deadline: 5)
  #   client.mint_capability_token("AC…", [Captoken.client_incoming("alice")], ttl: 600).token
  #   client.close
  class TokenClient
    # Seconds each call may take unless the client is given another.
    DEFAULT_DEADLINE = 10

    # Like new, but with a block: yields the client and closes it after.
    def self.open(address, **options)
      client = new(address, **options)
      return client unless block_given?

      begin
        yield client
      ensure
        client.close
      end
    end

    # credentials: :this_channel_is_insecure (the default, for loopback or a
    # sidecar) or a GRPC::Core::ChannelCredentials for TLS.
    # channel_args: gRPC channel arguments, e.g. a service config.
    def initialize(address, deadline: DEFAULT_DEADLINE, credentials: :this_channel_is_insecure,
                   channel_args: {})
      raise ArgumentError, "deadline must be a positive number of seconds" unless deadline.is_a?(Numeric) &&
                                                                               deadline.positive?

      @deadline = deadline
      @channel = GRPC::Core::Channel.new(address, channel_args, credentials)
      @stub = V1::TokenService::Stub.new(address, credentials, channel_override: @channel)
    end

    # Closes the channel; calls after this fail.
    def close
      @channel.close
    end

    # A Twilio Client capability token (see Captoken.build_capability_request
    # for the options). Returns a MintedToken.
    def mint_capability_token(account_sid, scopes, **options)
      mint(Captoken.build_capability_request(account_sid, scopes, **options))
    end

    # A TaskRouter token (see Captoken.build_taskrouter_request).
    def mint_taskrouter_token(account_sid, workspace_sid, channel_id, **options)
      mint(Captoken.build_taskrouter_request(account_sid, workspace_sid, channel_id, **options))
    end

    # An Access Token (see Captoken.build_access_token_request).
    def mint_access_token(account_sid, identity, grants = [], **options)
      mint(Captoken.build_access_token_request(account_sid, identity, grants, **options))
    end

    # Sends a request message of any kind to its RPC.
    def mint(request)
      method = case request
               when V1::CapabilityRequest then :mint_capability_token
               when V1::TaskRouterRequest then :mint_task_router_token
               when V1::AccessTokenRequest then :mint_access_token
               else raise TypeError, "not a captoken request: #{request.class}"
               end
      MintedToken.from_proto(call(method, request))
    end

    # Mints several tokens of any kinds in one call. Returns one MintResult
    # per request, in order: an item the server refuses is a result with its
    # code, not an error. Raises only when the whole call fails (an empty or
    # oversized batch, the deadline, ...).
    def batch_mint(requests)
      items = requests.map { |request| mint_request(request) }
      call(:batch_mint, V1::BatchMintRequest.new(requests: items)).results.map { |r| MintResult.from_proto(r) }
    end

    # The server's verdict on a token of any kind. A token that does not
    # verify is a VerifyResult with valid? false, not an error.
    # account_sid: pin the account the token must belong to.
    def verify_token(token, account_sid: "")
      VerifyResult.from_proto(call(:verify_token, V1::VerifyTokenRequest.new(token: token, account_sid: account_sid)))
    end

    private

    def call(method, request)
      @stub.public_send(method, request, deadline: Time.now + @deadline)
    rescue GRPC::BadStatus => e
      raise TokenServiceError.from_bad_status(e)
    end

    def mint_request(request)
      case request
      when V1::MintRequest then request
      when V1::CapabilityRequest then V1::MintRequest.new(capability: request)
      when V1::TaskRouterRequest then V1::MintRequest.new(taskrouter: request)
      when V1::AccessTokenRequest then V1::MintRequest.new(access: request)
      else raise TypeError, "not a captoken request: #{request.class}"
      end
    end
  end
end
