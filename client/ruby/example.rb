# Mints a token from the development server (start it with `./dev server`).
#
# Run: client/ruby/build.sh && ruby -Iclient/ruby/lib client/ruby/example.rb [HOST:PORT]
# (or, with the gem installed, just `ruby example.rb`).
require "time" # Time#iso8601

require "captoken"

address = ARGV.fetch(0, "127.0.0.1:50051")
Captoken::TokenClient.open(address, deadline: 5) do |client|
  minted = client.mint_capability_token(
    "AC00000000000000000000000000000000",
    [Captoken.client_incoming("alice"),
     Captoken.client_outgoing("AP89abcdef0123456789abcdef01234567", params: { "To" => "+15551234567" })],
    ttl: 600
  )
  puts minted.token
  warn "expires #{minted.expire_time.iso8601}"
rescue Captoken::TokenServiceError => e
  abort "captoken: #{e.code_name}: #{e.details}"
end
