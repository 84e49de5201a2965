package captoken_test

// End-to-end tests of the TaskRouter, Access Token and BatchMint calls,
// against the server TestMain (e2e_test.go) started: each token equals, byte
// for byte, `captoken sign taskrouter|access` of the same request at the
// response's issue second.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"captoken.dev/client/go/captoken"
	"captoken.dev/client/go/captokenv1"
)

const (
	// apiKeySecretFlag is the flag of `captoken sign access` that names the
	// API key secret's environment variable.
	apiKeySecretFlag = "--api-key-secret-env"

	unknownAccount = "AC11111111111111111111111111111111"
	workspace      = "WS0123456789abcdef0123456789abcdef"
	worker         = "WK0123456789abcdef0123456789abcdef"
	queue          = "WQ0123456789abcdef0123456789abcdef"
	credentialSID  = "CR0123456789abcdef0123456789abcdef"
	serviceSID     = "IS0123456789abcdef0123456789abcdef"
	syncServiceSID = "ISfedcba9876543210fedcba9876543210"
	roleSID        = "RL0123456789abcdef0123456789abcdef"
	unknownKeySID  = "SK11111111111111111111111111111111"
	trBase         = "https://taskrouter.twilio.com/v1/Workspaces/" + workspace
	playbackJSON   = `{"requestCredentials":null,"playbackUrl":"https://example.com/p.m3u8",` +
		`"playerStreamerSid":"VJ0123456789abcdef0123456789abcdef"}`
)

var allProfiles = []captokenv1.Profile{captoken.ProfileDefault, captoken.ProfileTwilioPython, captoken.ProfileTwilioNode}

// lifetime sets a request's ttl or expire_time.
type lifetime struct {
	name string
	ttl  *durationpb.Duration
	exp  *timestamppb.Timestamp
	want func(issued time.Time) time.Time
}

func lifetimes() []lifetime {
	exp := time.Now().Add(15 * time.Minute).Truncate(time.Second)
	return []lifetime{
		{"default_ttl", nil, nil, func(i time.Time) time.Time { return i.Add(time.Hour) }},
		{"ttl_600s", durationpb.New(600 * time.Second), nil, func(i time.Time) time.Time { return i.Add(600 * time.Second) }},
		{"ttl_24h", durationpb.New(24 * time.Hour), nil, func(i time.Time) time.Time { return i.Add(24 * time.Hour) }},
		{"expire_time", nil, timestamppb.New(exp), func(time.Time) time.Time { return exp }},
	}
}

// jwtSegment decodes (without verifying) the header (0) or claims (1).
func jwtSegment(t *testing.T, token string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments, want 3", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("token segment %d: %v", i, err)
	}
	out := map[string]any{}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("token segment %d %q: %v", i, raw, err)
	}
	return out
}

// checkMinted checks the response against the request's profile and
// lifetime, and the token against the CLI's.
func checkMinted(t *testing.T, tok *captoken.Token, req proto.Message, profile captokenv1.Profile,
	want func(time.Time) time.Time, before, after time.Time) {
	t.Helper()
	wantProfile := profile
	if wantProfile == captoken.ProfileDefault {
		wantProfile = captoken.ProfileTwilioPython
	}
	if tok.Profile != wantProfile {
		t.Errorf("Profile %v, want %v", tok.Profile, wantProfile)
	}
	if tok.IssueTime.Before(before) || tok.IssueTime.After(after) {
		t.Errorf("IssueTime %v, not between %v and %v", tok.IssueTime, before, after)
	}
	if w := want(tok.IssueTime); !tok.ExpireTime.Equal(w) {
		t.Errorf("ExpireTime %v, want %v", tok.ExpireTime, w)
	}
	if exp, _ := jwtSegment(t, tok.Token, 1)["exp"].(float64); int64(exp) != tok.ExpireTime.Unix() {
		t.Errorf("exp claim %v, want %d", exp, tok.ExpireTime.Unix())
	}
	if w := cliSign(t, req, tok.IssueTime.Unix()); tok.Token != w {
		t.Errorf("server token differs from `captoken sign` at %d:\nserver %s\ncli    %s", tok.IssueTime.Unix(), tok.Token, w)
	}
}

func wantCode(t *testing.T, err error, code codes.Code, field string) {
	t.Helper()
	if got := status.Code(err); got != code {
		t.Fatalf("status.Code(%v) = %v, want %v", err, got, code)
	}
	if msg := status.Convert(err).Message(); !strings.Contains(msg, field) {
		t.Errorf("message %q does not name %q", msg, field)
	}
}

func taskRouterCases() []struct {
	name string
	req  func() *captokenv1.TaskRouterRequest
	deny bool // a deny policy: not for the node profile
} {
	explicit := func() []*captokenv1.TaskRouterPolicy {
		tasks := captoken.TaskRouterPolicy(trBase+"/Tasks/**", "POST")
		tasks.QueryFilter = []*captokenv1.TaskRouterFilter{
			captoken.RequiredFilter("Zeta", true), captoken.JSONFilter("Alpha", `{"required":false}`)}
		tasks.PostFilter = []*captokenv1.TaskRouterFilter{captoken.RequiredFilter("ActivitySid", true)}
		return []*captokenv1.TaskRouterPolicy{tasks,
			captoken.TaskRouterPolicy(trBase+"/Activities", ""),
			captoken.TaskRouterPolicy(trBase+"/Workers/"+worker, "DELETE")}
	}
	return []struct {
		name string
		req  func() *captokenv1.TaskRouterRequest
		deny bool
	}{
		{"worker_python_sets", func() *captokenv1.TaskRouterRequest {
			return captoken.NewTaskRouterRequest(account, workspace, worker,
				captoken.PolicySetPythonDefaults, captoken.PolicySetUpdateActivities, captoken.PolicySetUpdateReservations)
		}, false},
		{"worker_node_sets", func() *captokenv1.TaskRouterRequest {
			r := captoken.NewTaskRouterRequest(account, workspace, worker,
				captoken.PolicySetEventBridge, captoken.PolicySetNodeWorkerDefaults)
			r.FriendlyName = "Alice Agent"
			return r
		}, false},
		{"worker_explicit_policies", func() *captokenv1.TaskRouterRequest {
			r := captoken.NewTaskRouterRequest(account, workspace, worker, captoken.PolicySetEventBridge)
			r.Policies = explicit()
			r.FriendlyName = `Zoë "&" Co ✓`
			r.Version = "v1"
			return r
		}, false},
		{"worker_deny", func() *captokenv1.TaskRouterRequest {
			r := captoken.NewTaskRouterRequest(account, workspace, worker, captoken.PolicySetPythonDefaults)
			deny := captoken.TaskRouterPolicy(trBase+"/Tasks/**", "DELETE")
			deny.Deny = true
			r.Policies = []*captokenv1.TaskRouterPolicy{deny}
			return r
		}, true},
		{"taskqueue", func() *captokenv1.TaskRouterRequest {
			return captoken.NewTaskRouterRequest(account, workspace, queue,
				captoken.PolicySetPythonDefaults, captoken.PolicySetFetchSubresources, captoken.PolicySetUpdateSelf)
		}, false},
		{"taskqueue_bare", func() *captokenv1.TaskRouterRequest {
			return captoken.NewTaskRouterRequest(account, workspace, queue)
		}, false},
		{"workspace", func() *captokenv1.TaskRouterRequest {
			r := captoken.NewTaskRouterRequest(account, workspace, workspace, captoken.PolicySetEventBridge,
				captoken.PolicySetUpdateSubresources, captoken.PolicySetDeleteSubresources, captoken.PolicySetDeleteSelf)
			r.FriendlyName = "Main"
			return r
		}, false},
		{"workspace_python_defaults", func() *captokenv1.TaskRouterRequest {
			return captoken.NewTaskRouterRequest(account, workspace, workspace, captoken.PolicySetPythonDefaults)
		}, false},
	}
}

func TestTaskRouterMatchesCLI(t *testing.T) {
	c := newClient(t)
	n := 0
	for _, tc := range taskRouterCases() {
		for _, profile := range allProfiles {
			if tc.deny && profile == captoken.ProfileTwilioNode {
				continue
			}
			for _, lt := range lifetimes() {
				tc, profile, lt := tc, profile, lt
				n++
				t.Run(fmt.Sprintf("%s/%s/%s", tc.name, profile, lt.name), func(t *testing.T) {
					req := tc.req()
					req.Profile, req.Ttl, req.ExpireTime = profile, lt.ttl, lt.exp
					sent := proto.Clone(req)
					before := time.Now().Truncate(time.Second)
					tok, err := c.MintTaskRouterToken(context.Background(), req)
					if err != nil {
						t.Fatalf("MintTaskRouterToken: %v", err)
					}
					after := time.Now()
					if !proto.Equal(req, sent) {
						t.Fatalf("the request was modified")
					}
					checkMinted(t, tok, req, profile, lt.want, before, after)
					claims := jwtSegment(t, tok.Token, 1)
					for k, v := range map[string]string{"iss": account, "account_sid": account,
						"workspace_sid": workspace, "channel": req.ChannelId} {
						if claims[k] != v {
							t.Errorf("claim %s = %v, want %s", k, claims[k], v)
						}
					}
					switch req.ChannelId[:2] {
					case "WK":
						if claims["worker_sid"] != worker {
							t.Errorf("worker_sid claim %v", claims["worker_sid"])
						}
					case "WQ":
						if claims["taskqueue_sid"] != queue {
							t.Errorf("taskqueue_sid claim %v", claims["taskqueue_sid"])
						}
					}
					// The request's own policies come last, in order.
					policies, _ := claims["policies"].([]any)
					if k := len(req.Policies); k > 0 {
						if len(policies) < k {
							t.Fatalf("%d policies in the token, want at least %d", len(policies), k)
						}
						for i, p := range policies[len(policies)-k:] {
							m := p.(map[string]any)
							if m["url"] != req.Policies[i].Url || m["allow"] != !req.Policies[i].Deny {
								t.Errorf("policy %d = %v, want %v", i, m, req.Policies[i])
							}
						}
					}
				})
			}
		}
	}
	if want := (8*3 - 1) * 4; n != want {
		t.Errorf("%d cases, want %d", n, want)
	}
}

func TestTaskRouterVerify(t *testing.T) {
	c := newClient(t)
	for _, profile := range []captokenv1.Profile{captoken.ProfileTwilioPython, captoken.ProfileTwilioNode} {
		// Policies as VerifyToken gives them back: explicit methods, boolean filters.
		req := captoken.NewTaskRouterRequest(account, workspace, worker, captoken.PolicySetEventBridge)
		tasks := captoken.TaskRouterPolicy(trBase+"/Tasks/**", "POST")
		tasks.QueryFilter = []*captokenv1.TaskRouterFilter{
			captoken.RequiredFilter("Zeta", true), captoken.RequiredFilter("Alpha", false)}
		tasks.PostFilter = []*captokenv1.TaskRouterFilter{captoken.RequiredFilter("ActivitySid", true)}
		req.Policies = []*captokenv1.TaskRouterPolicy{tasks,
			captoken.TaskRouterPolicy(trBase+"/Activities", "GET"),
			captoken.TaskRouterPolicy(trBase+"/Workers/"+worker, "DELETE")}
		req.FriendlyName, req.Version, req.Profile = `Zoë "&" Co ✓`, "v1", profile
		tok, err := c.MintTaskRouterToken(context.Background(), req)
		if err != nil {
			t.Fatalf("%v: MintTaskRouterToken: %v", profile, err)
		}
		for _, sid := range []string{"", account} {
			v, err := c.VerifyToken(context.Background(), tok.Token, sid)
			if err != nil {
				t.Fatalf("%v: VerifyToken: %v", profile, err)
			}
			if !v.Valid || v.Kind != captoken.KindTaskRouter || v.AccountSID != account || !v.ExpireTime.Equal(tok.ExpireTime) {
				t.Errorf("%v: valid %v (%v), kind %v, account %q, expire %v", profile, v.Valid, v.Failure, v.Kind, v.AccountSID, v.ExpireTime)
			}
			if v.Access != nil || len(v.Scopes) != 0 {
				t.Errorf("%v: access claims %v, scopes %v on a TaskRouter token", profile, v.Access, v.Scopes)
			}
			cl := v.TaskRouter
			if cl.GetWorkspaceSid() != workspace || cl.GetChannelId() != worker || cl.GetVersion() != "v1" ||
				cl.GetFriendlyName() != req.FriendlyName {
				t.Errorf("%v: claims %v", profile, cl)
			}
			// The event bridge's GET and POST, then the request's own.
			if got := cl.GetPolicies(); len(got) != 2+len(req.Policies) {
				t.Errorf("%v: %d policies, want %d", profile, len(got), 2+len(req.Policies))
			} else {
				for i, p := range req.Policies {
					if !proto.Equal(got[2+i], p) {
						t.Errorf("%v: policy %d = %v, want %v", profile, 2+i, got[2+i], p)
					}
				}
			}
		}
	}
}

func TestTaskRouterInvalidArgument(t *testing.T) {
	c := newClient(t)
	denyNode := captoken.NewTaskRouterRequest(account, workspace, worker)
	denyNode.Policies = []*captokenv1.TaskRouterPolicy{{Url: trBase + "/Tasks/**", Deny: true}}
	denyNode.Profile = captoken.ProfileTwilioNode
	badMethod := captoken.NewTaskRouterRequest(account, workspace, worker)
	badMethod.Policies = []*captokenv1.TaskRouterPolicy{
		captoken.TaskRouterPolicy(trBase+"/Tasks", ""), captoken.TaskRouterPolicy(trBase+"/Tasks", "PATCH")}
	badURL := captoken.NewTaskRouterRequest(account, workspace, worker)
	badURL.Policies = []*captokenv1.TaskRouterPolicy{captoken.TaskRouterPolicy("http://x/y", "GET")}
	zeroTTL := captoken.NewTaskRouterRequest(account, workspace, worker)
	zeroTTL.Ttl = durationpb.New(0)
	for _, tc := range []struct {
		field string
		req   *captokenv1.TaskRouterRequest
	}{
		{"account_sid", captoken.NewTaskRouterRequest("AC123", workspace, worker)},
		{"workspace_sid", captoken.NewTaskRouterRequest(account, "WS123", worker)},
		{"channel_id", captoken.NewTaskRouterRequest(account, workspace, "CA0123456789abcdef0123456789abcdef")},
		{"ttl", zeroTTL},
		{"policies[0].url", badURL},
		{"policies[1].method", badMethod},
		{"policies[0]", denyNode},
	} {
		t.Run(tc.field, func(t *testing.T) {
			_, err := c.MintTaskRouterToken(context.Background(), tc.req)
			wantCode(t, err, codes.InvalidArgument, tc.field)
		})
	}
	_, err := c.MintTaskRouterToken(context.Background(), captoken.NewTaskRouterRequest(unknownAccount, workspace, worker))
	wantCode(t, err, codes.PermissionDenied, "")
}

var (
	voiceGrant = captoken.VoiceGrant(&captokenv1.VoiceGrant{
		IncomingAllow: true, OutgoingApplicationSid: appSID,
		OutgoingApplicationParamsJson: `{"To":"+1 555 123 4567","n":42,"Zoë":"a&b"}`,
		PushCredentialSid:             credentialSID, EndpointId: "alice-web",
	})
	chatGrant = captoken.ChatGrant(&captokenv1.ChatGrant{ServiceSid: serviceSID, EndpointId: "alice:web",
		DeploymentRoleSid: roleSID, PushCredentialSid: credentialSID})
	syncGrant       = captoken.SyncGrant(&captokenv1.SyncGrant{ServiceSid: syncServiceSID, EndpointId: "sync-1"})
	taskRouterGrant = captoken.TaskRouterGrant(workspace, worker, "worker")
)

func accessCases() []struct {
	name string
	req  func() *captokenv1.AccessTokenRequest
} {
	withKey := func(r *captokenv1.AccessTokenRequest, key string) *captokenv1.AccessTokenRequest {
		r.ApiKeySid = key
		return r
	}
	return []struct {
		name string
		req  func() *captokenv1.AccessTokenRequest
	}{
		{"identity_only", func() *captokenv1.AccessTokenRequest {
			return withKey(captoken.NewAccessTokenRequest(account, "alice"), keySID)
		}},
		{"voice", func() *captokenv1.AccessTokenRequest {
			return withKey(captoken.NewAccessTokenRequest(account, "alice", voiceGrant), keySID)
		}},
		{"voice_outgoing_without_params", func() *captokenv1.AccessTokenRequest {
			return withKey(captoken.NewAccessTokenRequest(account, "alice",
				captoken.VoiceGrant(&captokenv1.VoiceGrant{OutgoingApplicationSid: appSID})), keySID)
		}},
		{"chat_video_sync_other_key", func() *captokenv1.AccessTokenRequest {
			return withKey(captoken.NewAccessTokenRequest(account, "bob_smith",
				chatGrant, captoken.VideoGrant("standup"), syncGrant), otherKeySID)
		}},
		{"every_grant", func() *captokenv1.AccessTokenRequest {
			return withKey(captoken.NewAccessTokenRequest(account, "agent 7", voiceGrant, chatGrant,
				captoken.VideoGrant(""), syncGrant, taskRouterGrant, captoken.PlaybackGrant(playbackJSON)), keySID)
		}},
		{"repeated_kind_and_region", func() *captokenv1.AccessTokenRequest {
			r := withKey(captoken.NewAccessTokenRequest(account, "zoë 😀",
				captoken.VideoGrant("first"), chatGrant, captoken.VideoGrant("second")), keySID)
			r.Region = "ie1"
			return r
		}},
		{"not_before", func() *captokenv1.AccessTokenRequest {
			r := withKey(captoken.NewAccessTokenRequest(account, "carol", taskRouterGrant), keySID)
			r.NotBefore = timestamppb.New(time.Now().Add(-time.Minute).Truncate(time.Second))
			return r
		}},
	}
}

func TestAccessTokenMatchesCLI(t *testing.T) {
	c := newClient(t)
	n := 0
	for _, tc := range accessCases() {
		for _, profile := range allProfiles {
			for _, lt := range lifetimes() {
				tc, profile, lt := tc, profile, lt
				n++
				t.Run(fmt.Sprintf("%s/%s/%s", tc.name, profile, lt.name), func(t *testing.T) {
					req := tc.req()
					req.Profile, req.Ttl, req.ExpireTime = profile, lt.ttl, lt.exp
					before := time.Now().Truncate(time.Second)
					tok, err := c.MintAccessToken(context.Background(), req)
					if err != nil {
						t.Fatalf("MintAccessToken: %v", err)
					}
					checkMinted(t, tok, req, profile, lt.want, before, time.Now())
					header, claims := jwtSegment(t, tok.Token, 0), jwtSegment(t, tok.Token, 1)
					if header["cty"] != "twilio-fpa;v=1" {
						t.Errorf("cty header %v", header["cty"])
					}
					if twr, _ := header["twr"].(string); twr != req.Region {
						t.Errorf("twr header %q, want %q", twr, req.Region)
					}
					if claims["iss"] != req.ApiKeySid || claims["sub"] != account {
						t.Errorf("iss %v, sub %v", claims["iss"], claims["sub"])
					}
					if jti, _ := claims["jti"].(string); !strings.HasPrefix(jti, req.ApiKeySid+"-") {
						t.Errorf("jti %q", jti)
					}
					grants, _ := claims["grants"].(map[string]any)
					if grants["identity"] != req.Identity {
						t.Errorf("identity %v, want %q", grants["identity"], req.Identity)
					}
					nbf, hasNbf := claims["nbf"].(float64)
					if req.NotBefore != nil && int64(nbf) != req.NotBefore.Seconds || req.NotBefore == nil && hasNbf {
						t.Errorf("nbf %v, want %v", claims["nbf"], req.NotBefore)
					}
					if tc.name == "repeated_kind_and_region" {
						// A later grant of a kind replaces the earlier in its place.
						if v, _ := grants["video"].(map[string]any); v["room"] != "second" {
							t.Errorf("video grant %v, want room second", grants["video"])
						}
					}
				})
			}
		}
	}
	if want := 7 * 3 * 4; n != want {
		t.Errorf("%d cases, want %d", n, want)
	}
}

func TestAccessTokenVerify(t *testing.T) {
	c := newClient(t)
	nbf := time.Now().Add(-30 * time.Second).Truncate(time.Second)
	grants := []*captokenv1.AccessGrant{voiceGrant, chatGrant, captoken.VideoGrant("standup"), syncGrant, taskRouterGrant}
	for _, profile := range []captokenv1.Profile{captoken.ProfileTwilioPython, captoken.ProfileTwilioNode} {
		req := captoken.NewAccessTokenRequest(account, "alice", grants...)
		req.ApiKeySid, req.Region, req.NotBefore, req.Profile = otherKeySID, "au1", timestamppb.New(nbf), profile
		req.Ttl = durationpb.New(5 * time.Minute)
		tok, err := c.MintAccessToken(context.Background(), req)
		if err != nil {
			t.Fatalf("%v: MintAccessToken: %v", profile, err)
		}
		for _, sid := range []string{"", account} {
			v, err := c.VerifyToken(context.Background(), tok.Token, sid)
			if err != nil {
				t.Fatalf("%v: VerifyToken: %v", profile, err)
			}
			if !v.Valid || v.Kind != captoken.KindAccess || v.AccountSID != account || !v.ExpireTime.Equal(tok.ExpireTime) {
				t.Errorf("%v: valid %v (%v), kind %v, account %q, expire %v", profile, v.Valid, v.Failure, v.Kind, v.AccountSID, v.ExpireTime)
			}
			if v.TaskRouter != nil {
				t.Errorf("%v: TaskRouter claims on an Access Token", profile)
			}
			a := v.Access
			jti, _ := jwtSegment(t, tok.Token, 1)["jti"].(string)
			if a.GetApiKeySid() != otherKeySID || a.GetIdentity() != "alice" || a.GetRegion() != "au1" ||
				a.GetTokenId() != jti || a.GetNotBefore().GetSeconds() != nbf.Unix() {
				t.Errorf("%v: claims %v", profile, a)
			}
			if got := a.GetGrants(); len(got) != len(grants) {
				t.Errorf("%v: %d grants, want %d", profile, len(got), len(grants))
			} else {
				// Voice parameters may come back re-serialized; the rest exactly.
				for i := 1; i < len(grants); i++ {
					if !proto.Equal(got[i], grants[i]) {
						t.Errorf("%v: grant %d = %v, want %v", profile, i, got[i], grants[i])
					}
				}
				gv, wv := got[0].GetVoice(), grants[0].GetVoice()
				var gp, wp any
				json.Unmarshal([]byte(gv.GetOutgoingApplicationParamsJson()), &gp)
				json.Unmarshal([]byte(wv.GetOutgoingApplicationParamsJson()), &wp)
				if !gv.GetIncomingAllow() || gv.GetOutgoingApplicationSid() != appSID || fmt.Sprint(gp) != fmt.Sprint(wp) {
					t.Errorf("%v: voice grant %v", profile, gv)
				}
			}
		}
	}

	// The server's default key, and a tampered token.
	tok, err := c.MintAccessToken(context.Background(), captoken.NewAccessTokenRequest(account, "alice", captoken.VideoGrant("")))
	if err != nil {
		t.Fatalf("MintAccessToken (default key): %v", err)
	}
	if v, err := c.VerifyToken(context.Background(), tok.Token, ""); err != nil || !v.Valid || v.Access.GetApiKeySid() != keySID {
		t.Errorf("default key: %v, %+v", err, v)
	}
	if iss := jwtSegment(t, tok.Token, 1)["iss"]; iss != keySID {
		t.Errorf("default key: iss %v, want %s (the first key that may sign)", iss, keySID)
	}
	forged := tok.Token[:len(tok.Token)-2] + flip(tok.Token[len(tok.Token)-2]) + tok.Token[len(tok.Token)-1:]
	if v, err := c.VerifyToken(context.Background(), forged, ""); err != nil || v.Valid ||
		v.Failure != captokenv1.VerificationFailure_VERIFICATION_FAILURE_BAD_SIGNATURE || v.Access != nil {
		t.Errorf("forged: %v, %+v", err, v)
	}

	// The three kinds are told apart.
	capTok, err := c.MintCapabilityToken(context.Background(), captoken.NewCapabilityRequest(account, captoken.ClientIncoming("a")))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := c.VerifyToken(context.Background(), capTok.Token, ""); err != nil || v.Kind != captoken.KindCapability {
		t.Errorf("capability token: %v, kind %v", err, v.Kind)
	}
}

func TestAccessTokenErrors(t *testing.T) {
	c := newClient(t)
	req := func(identity string, grants ...*captokenv1.AccessGrant) *captokenv1.AccessTokenRequest {
		r := captoken.NewAccessTokenRequest(account, identity, grants...)
		r.ApiKeySid = keySID
		return r
	}
	badKey, badRegion, longTTL, badAccount := req("alice"), req("alice"), req("alice"), req("alice")
	badKey.ApiKeySid = "SK123"
	badRegion.Region = "eu west"
	longTTL.Ttl = durationpb.New(24*time.Hour + time.Second)
	badAccount.AccountSid = "AC123"
	for _, tc := range []struct {
		field string
		req   *captokenv1.AccessTokenRequest
	}{
		{"identity", req("")},
		{"account_sid", badAccount},
		{"api_key_sid", badKey},
		{"grants[1].voice.outgoing_application_sid", req("alice", captoken.VideoGrant(""),
			captoken.VoiceGrant(&captokenv1.VoiceGrant{OutgoingApplicationSid: "AP1"}))},
		{"grants[0].chat.service_sid", req("alice", captoken.ChatGrant(&captokenv1.ChatGrant{ServiceSid: "IS1"}))},
		{"grants[0].voice.outgoing_application_params", req("alice", captoken.VoiceGrant(&captokenv1.VoiceGrant{
			OutgoingApplicationSid: appSID, OutgoingApplicationParamsJson: `{"n":1.5}`}))},
		{"region", badRegion},
		{"ttl", longTTL},
	} {
		t.Run(tc.field, func(t *testing.T) {
			_, err := c.MintAccessToken(context.Background(), tc.req)
			wantCode(t, err, codes.InvalidArgument, tc.field)
		})
	}
	for _, tc := range []struct{ account, key string }{
		{unknownAccount, ""}, {account, unknownKeySID}, {account, retiredKeySID},
	} {
		r := captoken.NewAccessTokenRequest(tc.account, "alice")
		r.ApiKeySid = tc.key
		_, err := c.MintAccessToken(context.Background(), r)
		if got := status.Code(err); got != codes.PermissionDenied {
			t.Errorf("account %s key %q: status.Code(%v) = %v, want PermissionDenied", tc.account, tc.key, err, got)
		}
	}
}

func TestBatchMintMixed(t *testing.T) {
	c := newClient(t)
	capReq := captoken.NewCapabilityRequest(account, captoken.ClientIncoming("alice"))
	capReq.Profile = captoken.ProfileTwilioNode
	trReq := captoken.NewTaskRouterRequest(account, workspace, worker, captoken.PolicySetPythonDefaults)
	trReq.Ttl = durationpb.New(600 * time.Second)
	atReq := captoken.NewAccessTokenRequest(account, "alice", voiceGrant, captoken.VideoGrant("standup"))
	atReq.ApiKeySid, atReq.Profile = keySID, captoken.ProfileTwilioNode
	queueReq := captoken.NewTaskRouterRequest(account, workspace, queue, captoken.PolicySetEventBridge)
	queueReq.Profile, queueReq.FriendlyName = captoken.ProfileTwilioNode, "Queue"
	items := []struct {
		item  *captokenv1.MintRequest
		req   proto.Message
		code  codes.Code
		field string
	}{
		{captoken.CapabilityItem(capReq), capReq, codes.OK, ""},
		{captoken.TaskRouterItem(trReq), trReq, codes.OK, ""},
		{captoken.AccessTokenItem(captoken.NewAccessTokenRequest(account, "")), nil, codes.InvalidArgument, "identity"},
		{captoken.AccessTokenItem(atReq), atReq, codes.OK, ""},
		{captoken.TaskRouterItem(captoken.NewTaskRouterRequest(account, workspace, "WK123")), nil, codes.InvalidArgument, "channel_id"},
		{captoken.CapabilityItem(captoken.NewCapabilityRequest("AC123")), nil, codes.InvalidArgument, "account_sid"},
		{captoken.AccessTokenItem(captoken.NewAccessTokenRequest(unknownAccount, "alice")), nil, codes.PermissionDenied, ""},
		{captoken.TaskRouterItem(queueReq), queueReq, codes.OK, ""},
	}
	reqs := make([]*captokenv1.MintRequest, len(items))
	for i, it := range items {
		reqs[i] = it.item
	}
	before := time.Now().Truncate(time.Second)
	results, err := c.BatchMint(context.Background(), reqs...)
	if err != nil {
		t.Fatalf("BatchMint: %v", err)
	}
	after := time.Now()
	if len(results) != len(items) {
		t.Fatalf("%d results for %d requests", len(results), len(items))
	}
	for i, it := range items {
		r := results[i]
		if r.Code != it.code {
			t.Errorf("item %d: code %v (%q), want %v", i, r.Code, r.Message, it.code)
			continue
		}
		if it.code != codes.OK {
			if r.Token != nil || !strings.Contains(r.Message, it.field) || r.Message == "" {
				t.Errorf("item %d: token %v, message %q (want it to name %q)", i, r.Token, r.Message, it.field)
			}
			if status.Code(r.Err()) != it.code {
				t.Errorf("item %d: Err() %v", i, r.Err())
			}
			continue
		}
		if r.Err() != nil || r.Message != "" || r.Token == nil {
			t.Fatalf("item %d: Err %v, message %q, token %v", i, r.Err(), r.Message, r.Token)
		}
		if r.Token.IssueTime.Before(before) || r.Token.IssueTime.After(after) {
			t.Errorf("item %d: IssueTime %v", i, r.Token.IssueTime)
		}
		if want := cliSign(t, it.req, r.Token.IssueTime.Unix()); r.Token.Token != want {
			t.Errorf("item %d: token differs from `captoken sign`:\nserver %s\ncli    %s", i, r.Token.Token, want)
		}
		if v, err := c.VerifyToken(context.Background(), r.Token.Token, ""); err != nil || !v.Valid {
			t.Errorf("item %d: VerifyToken: %v, %+v", i, err, v)
		}
	}

	// An item fails as the single call would.
	bad := captoken.NewTaskRouterRequest(account, "WS1", worker)
	_, single := c.MintTaskRouterToken(context.Background(), bad)
	if results, err := c.BatchMint(context.Background(), captoken.TaskRouterItem(bad)); err != nil ||
		results[0].Code != status.Code(single) || results[0].Message != status.Convert(single).Message() {
		t.Errorf("batch item %+v (%v), single call %v", results, err, single)
	}
}

func TestBatchMintWholeCallErrors(t *testing.T) {
	c := newClient(t)
	_, err := c.BatchMint(context.Background())
	wantCode(t, err, codes.InvalidArgument, "")
	item := captoken.CapabilityItem(captoken.NewCapabilityRequest(account))
	many := make([]*captokenv1.MintRequest, 101)
	for i := range many {
		many[i] = item
	}
	_, err = c.BatchMint(context.Background(), many...)
	wantCode(t, err, codes.InvalidArgument, "")
	if results, err := c.BatchMint(context.Background(), many[:100]...); err != nil || len(results) != 100 {
		t.Errorf("a batch of 100: %d results, %v", len(results), err)
	}
}

func TestNewCallsHaveTheDeadline(t *testing.T) {
	addr := silentServer(t)
	c, err := captoken.NewTokenClient(addr, captoken.WithDeadline(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for name, call := range map[string]func() error{
		"MintTaskRouterToken": func() error {
			_, err := c.MintTaskRouterToken(context.Background(), captoken.NewTaskRouterRequest(account, workspace, worker))
			return err
		},
		"MintAccessToken": func() error {
			_, err := c.MintAccessToken(context.Background(), captoken.NewAccessTokenRequest(account, "alice"))
			return err
		},
		"BatchMint": func() error {
			_, err := c.BatchMint(context.Background(), captoken.AccessTokenItem(captoken.NewAccessTokenRequest(account, "alice")))
			return err
		},
	} {
		start := time.Now()
		err := call()
		if got := status.Code(err); got != codes.DeadlineExceeded {
			t.Errorf("%s: status.Code(%v) = %v, want DeadlineExceeded", name, err, got)
		}
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("%s: took %v with a 300ms deadline", name, d)
		}
	}
}
