package captoken

import (
	"captoken.dev/client/go/captokenv1"
)

// NewAccessTokenRequest returns a request for an Access Token of the
// account for identity, with the grants in order (a later grant of a kind
// replaces an earlier one in its place). Set ApiKeySid (default: the
// account's first API key that may sign), Ttl or ExpireTime, NotBefore,
// Region and Profile as needed.
func NewAccessTokenRequest(accountSID, identity string, grants ...*captokenv1.AccessGrant) *captokenv1.AccessTokenRequest {
	return &captokenv1.AccessTokenRequest{AccountSid: accountSID, Identity: identity, Grants: grants}
}

// VoiceGrant is a Voice SDK grant. A nil g is an empty grant. Its
// OutgoingApplicationParamsJson is a JSON object (integers only), written
// into the token verbatim and in order.
func VoiceGrant(g *captokenv1.VoiceGrant) *captokenv1.AccessGrant {
	if g == nil {
		g = &captokenv1.VoiceGrant{}
	}
	return &captokenv1.AccessGrant{Grant: &captokenv1.AccessGrant_Voice{Voice: g}}
}

// ChatGrant is a Conversations / Programmable Chat grant. A nil g is an
// empty grant.
func ChatGrant(g *captokenv1.ChatGrant) *captokenv1.AccessGrant {
	if g == nil {
		g = &captokenv1.ChatGrant{}
	}
	return &captokenv1.AccessGrant{Grant: &captokenv1.AccessGrant_Chat{Chat: g}}
}

// VideoGrant is a Programmable Video grant for one room, or for any room
// when room is "".
func VideoGrant(room string) *captokenv1.AccessGrant {
	return &captokenv1.AccessGrant{Grant: &captokenv1.AccessGrant_Video{Video: &captokenv1.VideoGrant{Room: room}}}
}

// SyncGrant is a Sync grant. A nil g is an empty grant.
func SyncGrant(g *captokenv1.SyncGrant) *captokenv1.AccessGrant {
	if g == nil {
		g = &captokenv1.SyncGrant{}
	}
	return &captokenv1.AccessGrant{Grant: &captokenv1.AccessGrant_Sync{Sync: g}}
}

// TaskRouterGrant is a TaskRouter grant: the workspace ("WS…"), the worker
// ("WK…") and the role; each may be "".
func TaskRouterGrant(workspaceSID, workerSID, role string) *captokenv1.AccessGrant {
	return &captokenv1.AccessGrant{Grant: &captokenv1.AccessGrant_TaskRouter{TaskRouter: &captokenv1.TaskRouterGrant{
		WorkspaceSid: workspaceSID, WorkerSid: workerSID, Role: role,
	}}}
}

// PlaybackGrant is a Twilio Live playback grant: the JSON object Twilio's
// PlaybackGrant API returned, copied into the token verbatim.
func PlaybackGrant(grantJSON string) *captokenv1.AccessGrant {
	return &captokenv1.AccessGrant{Grant: &captokenv1.AccessGrant_Playback{Playback: &captokenv1.PlaybackGrant{GrantJson: grantJSON}}}
}
