module Captoken
  # Wire enum values as the symbols callers use: :PROFILE_TWILIO_NODE =>
  # :twilio_node, :TOKEN_KIND_ACCESS => :access. A number the contract gained
  # after this client was built stays an Integer rather than failing.
  module Wire
    module_function

    def symbol(value, prefix)
      return value unless value.is_a?(Symbol)

      value.to_s.delete_prefix(prefix).downcase.to_sym
    end

    # A google.protobuf.Timestamp as a UTC Time; nil when unset.
    def time(timestamp)
      timestamp && Time.at(timestamp.seconds, timestamp.nanos, :nsec, in: "UTC")
    end
  end

  # A signed token of any kind. The JWT is a bearer credential: #inspect
  # leaves it out so that logging the result does not leak it.
  class MintedToken
    # token: the JWT; expire_time / issue_time: UTC Times; profile: the
    # profile the server used (:twilio_python, ...); token_fingerprint: the
    # first 16 hex digits of its SHA-256, as in the server's audit log.
    attr_reader :token, :expire_time, :issue_time, :profile, :token_fingerprint

    def self.from_proto(response)
      new(token: response.token, expire_time: Wire.time(response.expire_time),
          issue_time: Wire.time(response.issue_time),
          profile: Wire.symbol(response.profile, "PROFILE_"),
          token_fingerprint: response.token_fingerprint)
    end

    def initialize(token:, expire_time:, issue_time:, profile:, token_fingerprint:)
      @token = token
      @expire_time = expire_time
      @issue_time = issue_time
      @profile = profile
      @token_fingerprint = token_fingerprint
      freeze
    end

    def to_s
      token
    end

    def inspect
      "#<Captoken::MintedToken profile=#{profile.inspect} expire_time=#{expire_time} " \
        "token_fingerprint=#{token_fingerprint}>"
    end
  end

  # One BatchMint item's outcome: ok? with a token, or the code and message
  # the single call would have raised (#error is that TokenServiceError).
  class MintResult
    attr_reader :code, :message, :token

    def self.from_proto(result)
      new(code: result.code, message: result.message,
          token: result.token && MintedToken.from_proto(result.token))
    end

    def initialize(code:, message:, token:)
      @code = code
      @message = message
      @token = token
      freeze
    end

    def ok?
      code == GRPC::Core::StatusCodes::OK
    end

    def error
      ok? ? nil : TokenServiceError.new(code, message)
    end

    # The token, or raises what the single call would have raised.
    def value!
      raise error unless ok?

      token
    end

    def inspect
      ok? ? "#<Captoken::MintResult ok #{token.inspect}>" : "#<Captoken::MintResult #{error.message}>"
    end
  end

  # The server's verdict on a token. The claims are filled whenever the
  # signature verified, even for an expired token; empty or nil otherwise.
  class VerifyResult
    # failure: nil when valid, else :malformed, :bad_signature,
    # :unsupported_header, :expired, :not_yet_valid, :wrong_account or
    # :too_large. kind: :capability, :taskrouter, :access or :unspecified.
    # scopes: Captoken::V1::CapabilityScope messages in token order;
    # taskrouter / access: the TaskRouterClaims / AccessTokenClaims message.
    attr_reader :failure, :account_sid, :scopes, :expire_time, :issue_time, :kind, :taskrouter, :access

    def self.from_proto(response)
      failure = Wire.symbol(response.failure, "VERIFICATION_FAILURE_")
      new(valid: response.valid, failure: failure == :unspecified ? nil : failure,
          account_sid: response.account_sid, scopes: response.scopes.to_a.freeze,
          expire_time: Wire.time(response.expire_time), issue_time: Wire.time(response.issue_time),
          kind: Wire.symbol(response.kind, "TOKEN_KIND_"),
          taskrouter: response.taskrouter, access: response.access)
    end

    def initialize(valid:, failure:, account_sid:, scopes:, expire_time:, issue_time:, kind:, taskrouter:,
                   access:)
      @valid = valid
      @failure = failure
      @account_sid = account_sid
      @scopes = scopes
      @expire_time = expire_time
      @issue_time = issue_time
      @kind = kind
      @taskrouter = taskrouter
      @access = access
      freeze
    end

    def valid?
      @valid
    end
  end
end
