package captoken

import (
	"captoken.dev/client/go/captokenv1"
)

// Param is one key/value pair of an outgoing scope's parameters or an event
// stream's filters. Order matters: it is part of the token's bytes.
type Param struct {
	Key   string
	Value string
}

// NewCapabilityRequest returns a request for a token of the account with
// the scopes, in order. Set its Ttl (durationpb.New) or ExpireTime
// (timestamppb.New) and Profile fields as needed; the server's defaults are
// 3600 s and its default profile.
func NewCapabilityRequest(accountSID string, scopes ...*captokenv1.CapabilityScope) *captokenv1.CapabilityRequest {
	return &captokenv1.CapabilityRequest{AccountSid: accountSID, Scopes: scopes}
}

// ClientIncoming is the scope that lets a device receive calls addressed to
// clientName.
func ClientIncoming(clientName string) *captokenv1.CapabilityScope {
	return &captokenv1.CapabilityScope{
		Scope: &captokenv1.CapabilityScope_ClientIncoming{
			ClientIncoming: &captokenv1.ClientIncoming{ClientName: clientName},
		},
	}
}

// ClientOutgoing is the scope that lets a device place calls through the
// TwiML application applicationSID ("AP" and 32 hex digits), passing params
// to it in this order. clientName is optional ("" for none); with the
// python profile it must match the request's incoming client name, if any.
func ClientOutgoing(applicationSID, clientName string, params ...Param) *captokenv1.CapabilityScope {
	return &captokenv1.CapabilityScope{
		Scope: &captokenv1.CapabilityScope_ClientOutgoing{
			ClientOutgoing: &captokenv1.ClientOutgoing{
				ApplicationSid: applicationSID,
				ClientName:     clientName,
				Params:         toProto(params),
			},
		},
	}
}

// EventStream is the scope that lets a device subscribe to the account's
// event stream, with the filters in this order.
func EventStream(filters ...Param) *captokenv1.CapabilityScope {
	return &captokenv1.CapabilityScope{
		Scope: &captokenv1.CapabilityScope_EventStream{
			EventStream: &captokenv1.EventStream{Filters: toProto(filters)},
		},
	}
}

// CapabilityItem is a capability request as an item of a BatchMint.
func CapabilityItem(req *captokenv1.CapabilityRequest) *captokenv1.MintRequest {
	return &captokenv1.MintRequest{Request: &captokenv1.MintRequest_Capability{Capability: req}}
}

// TaskRouterItem is a TaskRouter request as an item of a BatchMint.
func TaskRouterItem(req *captokenv1.TaskRouterRequest) *captokenv1.MintRequest {
	return &captokenv1.MintRequest{Request: &captokenv1.MintRequest_Taskrouter{Taskrouter: req}}
}

// AccessTokenItem is an Access Token request as an item of a BatchMint.
func AccessTokenItem(req *captokenv1.AccessTokenRequest) *captokenv1.MintRequest {
	return &captokenv1.MintRequest{Request: &captokenv1.MintRequest_Access{Access: req}}
}

func toProto(params []Param) []*captokenv1.Param {
	if len(params) == 0 {
		return nil
	}
	out := make([]*captokenv1.Param, len(params))
	for i, p := range params {
		out[i] = &captokenv1.Param{Key: p.Key, Value: p.Value}
	}
	return out
}
