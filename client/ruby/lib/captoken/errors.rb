require "grpc"

module Captoken
  # A call to the captoken server failed, or a BatchMint item was refused.
  #
  # +code+ is the gRPC status code as an Integer (GRPC::Core::StatusCodes),
  # +code_name+ its name as a Symbol (:INVALID_ARGUMENT, :PERMISSION_DENIED,
  # :RESOURCE_EXHAUSTED, :UNAVAILABLE, :DEADLINE_EXCEEDED, ...), and +details+
  # the server's message, which names the offending field and never holds a
  # secret or a token.
  class TokenServiceError < StandardError
    attr_reader :code, :details

    # Status code number => its name, from grpc's own constants, so a code
    # added to gRPC later still gets a name if grpc knows it.
    CODE_NAMES = GRPC::Core::StatusCodes.constants.to_h do |name|
      [GRPC::Core::StatusCodes.const_get(name), name]
    end.freeze

    def initialize(code, details)
      @code = code
      @details = details
      super("#{code_name}: #{details}")
    end

    def code_name
      CODE_NAMES.fetch(code, :UNKNOWN)
    end

    # grpc raises a GRPC::BadStatus subclass per code; callers catch one type.
    def self.from_bad_status(error)
      new(error.code, error.details)
    end
  end
end
