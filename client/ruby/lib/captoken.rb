# The Ruby client of captoken.v1.TokenService.
#
#   require "captoken"
#   Captoken::TokenClient.open("127.0.0.1:50051", deadline: 5) do |client|
#     minted = client.mint_capability_token("AC…", [Captoken.client_incoming("alice")], ttl: 600)
#     minted.token
#   end
require "captoken/version"
require "captoken/v1/token_service_services_pb"
require "captoken/errors"
require "captoken/requests"
require "captoken/results"
require "captoken/token_client"
