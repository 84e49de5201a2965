require "google/protobuf/well_known_types"

module Captoken
  # Builders for the request messages. Each takes Ruby values (symbols,
  # hashes, Time, seconds) and returns the captoken.v1 message the server
  # reads; the TokenClient's mint_* methods call them, and batch_mint takes
  # what they return.
  #
  # Order matters: scopes, params, filters, policies and grants go into the
  # token's bytes in the order given (a Hash keeps insertion order).
  module Requests
    # Profile symbols (:twilio_python, :twilio_python_6, :twilio_python_7,
    # :twilio_node) <=> the wire enum's names, derived from the generated
    # enum so a profile added to the contract is accepted without an edit.
    PROFILES = V1::Profile.descriptor.to_h.keys
      .reject { |name| name == :PROFILE_UNSPECIFIED }
      .to_h { |name| [name.to_s.delete_prefix("PROFILE_").downcase.to_sym, name] }
      .freeze
    POLICY_SETS = V1::TaskRouterPolicySet.descriptor.to_h.keys
      .reject { |name| name == :TASK_ROUTER_POLICY_SET_UNSPECIFIED }
      .to_h { |name| [name.to_s.delete_prefix("TASK_ROUTER_POLICY_SET_").downcase.to_sym, name] }
      .freeze

    extend self

    def client_incoming(client_name)
      V1::CapabilityScope.new(client_incoming: V1::ClientIncoming.new(client_name: string(client_name, "client_name")))
    end

    # params: a Hash or an Array of [key, value] pairs; sent in that order.
    def client_outgoing(application_sid, params: {}, client_name: "")
      V1::CapabilityScope.new(client_outgoing: V1::ClientOutgoing.new(
        application_sid: string(application_sid, "application_sid"),
        params: pairs(params, "params"),
        client_name: string(client_name, "client_name")
      ))
    end

    def event_stream(filters: {})
      V1::CapabilityScope.new(event_stream: V1::EventStream.new(filters: pairs(filters, "filters")))
    end

    # A filter's value is true/false ({"required": b} in the token) or a
    # String holding a JSON object, copied verbatim.
    def taskrouter_policy(url, method, query_filter: {}, post_filter: {}, deny: false)
      V1::TaskRouterPolicy.new(url: string(url, "url"), method: string(method, "method"),
                               query_filter: filters(query_filter), post_filter: filters(post_filter),
                               deny: deny ? true : false)
    end

    def voice_grant(incoming_allow: false, outgoing_application_sid: "", outgoing_application_params: nil,
                    push_credential_sid: "", endpoint_id: "")
      access_grant(voice: V1::VoiceGrant.new(
        incoming_allow: incoming_allow ? true : false,
        outgoing_application_sid: outgoing_application_sid,
        outgoing_application_params_json: json_object(outgoing_application_params, "outgoing_application_params"),
        push_credential_sid: push_credential_sid, endpoint_id: endpoint_id
      ))
    end

    def chat_grant(service_sid: "", endpoint_id: "", deployment_role_sid: "", push_credential_sid: "")
      access_grant(chat: V1::ChatGrant.new(service_sid: service_sid, endpoint_id: endpoint_id,
                                    deployment_role_sid: deployment_role_sid,
                                    push_credential_sid: push_credential_sid))
    end

    def video_grant(room = "", configuration_profile_sid: "")
      access_grant(video: V1::VideoGrant.new(room: room, configuration_profile_sid: configuration_profile_sid))
    end

    def sync_grant(service_sid: "", endpoint_id: "")
      access_grant(sync: V1::SyncGrant.new(service_sid: service_sid, endpoint_id: endpoint_id))
    end

    def taskrouter_grant(workspace_sid: "", worker_sid: "", role: "")
      access_grant(task_router: V1::TaskRouterGrant.new(workspace_sid: workspace_sid, worker_sid: worker_sid, role: role))
    end

    # grant: the Player Streamer grant as a JSON object (a String, verbatim,
    # or a Hash).
    def playback_grant(grant)
      access_grant(playback: V1::PlaybackGrant.new(grant_json: json_object(grant, "grant")))
    end

    def build_capability_request(account_sid, scopes, ttl: nil, expire_time: nil, profile: nil,
                                 omit_not_before: false)
      V1::CapabilityRequest.new(account_sid: string(account_sid, "account_sid"), scopes: Array(scopes),
                                ttl: duration(ttl), expire_time: timestamp(expire_time, "expire_time"),
                                profile: wire_profile(profile), omit_not_before: omit_not_before ? true : false)
    end

    # channel_id: a worker (WK…), task queue (WQ…) or the workspace (WS…).
    # policy_sets: symbols such as :python_defaults, :update_activities.
    def build_taskrouter_request(account_sid, workspace_sid, channel_id, policy_sets: [], policies: [],
                                 friendly_name: "", version: "", ttl: nil, expire_time: nil, profile: nil,
                                 omit_not_before: false)
      V1::TaskRouterRequest.new(
        account_sid: string(account_sid, "account_sid"), workspace_sid: string(workspace_sid, "workspace_sid"),
        channel_id: string(channel_id, "channel_id"), friendly_name: friendly_name, version: version,
        policy_sets: policy_sets.map { |set| wire_policy_set(set) }, policies: Array(policies),
        ttl: duration(ttl), expire_time: timestamp(expire_time, "expire_time"),
        profile: wire_profile(profile), omit_not_before: omit_not_before ? true : false
      )
    end

    # api_key_sid: "" lets the server pick the account's first key that may sign.
    def build_access_token_request(account_sid, identity, grants = [], api_key_sid: "", ttl: nil,
                                   expire_time: nil, not_before: nil, region: "", profile: nil,
                                   omit_not_before: false)
      V1::AccessTokenRequest.new(
        account_sid: string(account_sid, "account_sid"), identity: string(identity, "identity"),
        grants: Array(grants), api_key_sid: api_key_sid, ttl: duration(ttl),
        expire_time: timestamp(expire_time, "expire_time"), not_before: timestamp(not_before, "not_before"),
        region: region, profile: wire_profile(profile), omit_not_before: omit_not_before ? true : false
      )
    end

    # Accepts a profile symbol (:twilio_node), the wire name
    # (:PROFILE_TWILIO_NODE or its String) or its number; nil = the server's.
    def wire_profile(value)
      case value
      when nil then :PROFILE_UNSPECIFIED
      when Integer then value
      when Symbol, String
        PROFILES.fetch(value.to_sym) do
          name = value.to_s.to_sym
          raise ArgumentError, "unknown profile #{value.inspect} (one of #{PROFILES.keys.join(', ')})" \
            unless PROFILES.value?(name)
          name
        end
      else raise TypeError, "profile must be a Symbol, String or Integer, not #{value.class}"
      end
    end

    def wire_policy_set(value)
      case value
      when Integer then value
      when Symbol, String
        POLICY_SETS.fetch(value.to_sym) do
          name = value.to_s.to_sym
          raise ArgumentError, "unknown policy set #{value.inspect} (one of #{POLICY_SETS.keys.join(', ')})" \
            unless POLICY_SETS.value?(name)
          name
        end
      else raise TypeError, "policy set must be a Symbol, String or Integer, not #{value.class}"
      end
    end

    # Seconds (Integer or Float), or nil for the server's default.
    def duration(seconds)
      return nil if seconds.nil?
      raise TypeError, "ttl must be a number of seconds, not #{seconds.class}" unless seconds.is_a?(Numeric)

      whole, fraction = seconds.divmod(1)
      Google::Protobuf::Duration.new(seconds: whole.to_i, nanos: (fraction * 1_000_000_000).round)
    end

    def timestamp(time, field)
      return nil if time.nil?
      raise TypeError, "#{field} must be a Time, not #{time.class}" unless time.is_a?(Time)

      Google::Protobuf::Timestamp.new(seconds: time.to_i, nanos: time.nsec)
    end

    def string(value, field)
      raise TypeError, "#{field} must be a String, not #{value.class}" unless value.is_a?(String)

      value
    end

    def pairs(entries, field)
      entries.to_a.map do |key, value|
        V1::Param.new(key: string(key, "#{field} key"), value: string(value, "#{field} value"))
      end
    end

    def filters(entries)
      entries.to_a.map do |name, constraint|
        case constraint
        when true, false then V1::TaskRouterFilter.new(name: name, required: constraint)
        when String then V1::TaskRouterFilter.new(name: name, constraint_json: constraint)
        else raise TypeError, "filter #{name.inspect} must be true, false or a JSON String"
        end
      end
    end

    # nil => "" (none); a String is sent verbatim; a Hash as compact JSON in
    # its order.
    def json_object(value, field)
      case value
      when nil then ""
      when String then value
      when Hash
        require "json"
        JSON.generate(value)
      else raise TypeError, "#{field} must be a JSON String or a Hash, not #{value.class}"
      end
    end

    def access_grant(**kind)
      V1::AccessGrant.new(**kind)
    end
    private :access_grant, :string, :pairs, :filters, :json_object, :duration, :timestamp,
            :wire_profile, :wire_policy_set
  end

  # The builders, callable as Captoken.client_incoming(...) and so on.
  extend Requests
end
