#!/usr/bin/env bash
# The gem as a Ruby user gets it: `gem build`, then `gem install --local`
# into a fresh GEM_HOME outside the repository (its dependencies, grpc and
# google-protobuf, resolve to Debian's ruby-grpc and ruby-google-protobuf,
# which register with RubyGems), then a program there, with no -I into the
# source tree, mints and verifies a token from a development server.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../package_test_lib.sh"

"$here/build.sh"
gem=$(ls "$here"/captoken-*.gem)
export GEM_HOME=$work/gems
# GEM_PATH: the new home first, then the system's gems, where the
# dependencies are.
export GEM_PATH=$GEM_HOME:$(ruby -e 'print Gem.default_path.join(":")')
gem install --local --no-document --quiet "$gem" >/dev/null

# The installed gem's spec and Captoken::VERSION.
check_version "the installed gem" "$(ruby -e 'require "captoken"; v = Gem.loaded_specs.fetch("captoken").version.to_s
  print(v == Captoken::VERSION ? v : "#{v} (Captoken::VERSION #{Captoken::VERSION})")')"

mkdir "$work/app"
cat >"$work/app/mint.rb" <<'RUBY'
require "captoken"

# Loaded from the installed gem, not the repository.
loaded = Gem.loaded_specs.fetch("captoken").full_gem_path
abort "captoken loaded from #{loaded}, not #{ENV['GEM_HOME']}" unless loaded.start_with?(ENV["GEM_HOME"])

Captoken::TokenClient.open(ARGV.fetch(0), deadline: 5) do |client|
  minted = client.mint_access_token("AC00000000000000000000000000000000", "alice",
                                    [Captoken.video_grant("standup")])
  capability = client.mint_capability_token("AC00000000000000000000000000000000",
                                            [Captoken.client_incoming("alice")])
  puts capability.token
  puts(client.verify_token(capability.token).valid? && client.verify_token(minted.token).kind == :access ? "valid" : "invalid")
end
RUBY
(cd "$work/app" && ruby mint.rb "$address") >"$work/out"
check_minted "$work/out"
echo "ok: $(basename "$gem"), installed with gem install --local, minted and verified a token"
