# The captoken Ruby client. Build with ./build.sh (it generates lib/captoken/v1/
# from ../../proto first: the gem carries the generated stubs, never the repo).
require_relative "lib/captoken/version"

Gem::Specification.new do |spec|
  spec.name = "captoken"
  spec.version = Captoken::VERSION
  spec.summary = "Ruby client for captoken, the gRPC service that mints Twilio tokens"
  spec.description = "A TokenClient for captoken.v1.TokenService: Twilio Client capability " \
                     "tokens, TaskRouter tokens and Access Tokens, one at a time or in a " \
                     "batch, and verification of every kind."
  spec.authors = ["captoken"]
  spec.license = "Nonstandard"
  spec.required_ruby_version = ">= 3.0"
  spec.files = Dir["lib/**/*.rb"] + ["README.md"]
  if Dir["lib/captoken/v1/*_pb.rb"].empty?
    raise "lib/captoken/v1/ is missing: run client/ruby/build.sh, which generates it"
  end
  # Debian 12 ships grpc 1.51 and google-protobuf 3.21 (ruby-grpc,
  # ruby-google-protobuf); both register with RubyGems, so a local install
  # resolves these without a gem server.
  spec.add_dependency "google-protobuf", ">= 3.21"
  spec.add_dependency "grpc", ">= 1.51"
end
