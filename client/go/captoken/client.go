// Package captoken is the Go client of captoken, the service that mints
// Twilio tokens (client capability tokens, TaskRouter tokens and Access
// Tokens) so that only it holds the accounts' auth tokens and API key
// secrets.
//
// A TokenClient wraps one gRPC connection to a captoken server:
//
//	client, err := captoken.NewTokenClient("127.0.0.1:50051")
//	if err != nil { ... }
//	defer client.Close()
//
//	req := captoken.NewCapabilityRequest("AC0123456789abcdef0123456789abcdef",
//		captoken.ClientIncoming("alice"),
//		captoken.ClientOutgoing("AP89abcdef0123456789abcdef01234567", "alice",
//			captoken.Param{Key: "To", Value: "+15551234567"}))
//	req.Ttl = durationpb.New(10 * time.Minute)
//	tok, err := client.MintCapabilityToken(ctx, req)
//	if status.Code(err) == codes.InvalidArgument { ... }
//
//	at, err := client.MintAccessToken(ctx, captoken.NewAccessTokenRequest(
//		"AC0123456789abcdef0123456789abcdef", "alice",
//		captoken.VoiceGrant(&captokenv1.VoiceGrant{IncomingAllow: true})))
//
// BatchMint signs several requests of any kinds in one call and returns one
// MintResult per request, in order; only a failure of the whole call is an
// error.
//
// Every call has a deadline: the earlier of the context's and the client's
// (WithDeadline, 5 s by default). Errors are gRPC status errors, returned
// as the stub returns them, so status.Code(err) and status.FromError(err)
// give the server's code (INVALID_ARGUMENT, PERMISSION_DENIED, ...) and its
// message, which names the offending field.
//
// The request and response messages are those of package
// captoken.dev/client/go/captokenv1, generated from proto/captoken/v1.
package captoken

import (
	"context"
	"errors"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"captoken.dev/client/go/captokenv1"
)

// DefaultDeadline is the deadline of each call when WithDeadline is not
// given.
const DefaultDeadline = 5 * time.Second

// Profiles, re-exported for brevity: whose bytes a token reproduces.
const (
	// ProfileDefault lets the server choose (its config's default_profile,
	// twilio-python 5.x unless it says otherwise).
	ProfileDefault = captokenv1.Profile_PROFILE_UNSPECIFIED
	// ProfileTwilioPython reproduces twilio-python 5.x TwilioCapability.
	ProfileTwilioPython = captokenv1.Profile_PROFILE_TWILIO_PYTHON
	// ProfileTwilioNode reproduces twilio-node 3.x–6.x ClientCapability.
	ProfileTwilioNode = captokenv1.Profile_PROFILE_TWILIO_NODE
	// ProfileTwilioPython6 reproduces twilio-python 6.x (PyJWT 1.x). It
	// writes nbf = the signing time unless the request's OmitNotBefore is
	// set (the SDK's nbf=None).
	ProfileTwilioPython6 = captokenv1.Profile_PROFILE_TWILIO_PYTHON_6
	// ProfileTwilioPython7 reproduces twilio-python 7.x to 9.x (PyJWT 2.5
	// or later, which sorts the header keys); nbf as ProfileTwilioPython6.
	ProfileTwilioPython7 = captokenv1.Profile_PROFILE_TWILIO_PYTHON_7
)

// Option configures a TokenClient.
type Option func(*options)

type options struct {
	deadline    time.Duration
	creds       credentials.TransportCredentials
	dialOptions []grpc.DialOption
}

// WithDeadline sets how long each call may take (default 5 s). A context
// with an earlier deadline still wins. It must be positive.
func WithDeadline(d time.Duration) Option {
	return func(o *options) { o.deadline = d }
}

// WithTransportCredentials protects the connection, e.g. with
// credentials.NewTLS. Without it the connection is plaintext, which suits a
// server on loopback or behind a service-mesh sidecar in the same pod.
func WithTransportCredentials(creds credentials.TransportCredentials) Option {
	return func(o *options) { o.creds = creds }
}

// WithDialOptions adds gRPC dial options (interceptors, keepalive, a
// custom dialer, ...), applied after the client's own.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(o *options) { o.dialOptions = append(o.dialOptions, opts...) }
}

// TokenClient calls a captoken server's captoken.v1.TokenService. It is safe
// for concurrent use; create one per server and share it.
type TokenClient struct {
	conn     *grpc.ClientConn
	stub     captokenv1.TokenServiceClient
	deadline time.Duration
}

// NewTokenClient returns a client of the server at target ("host:port" or
// any gRPC target name). It does not wait for the connection: the first
// call connects, within its deadline. Close it when done.
func NewTokenClient(target string, opts ...Option) (*TokenClient, error) {
	o := options{deadline: DefaultDeadline}
	for _, opt := range opts {
		opt(&o)
	}
	if o.deadline <= 0 {
		return nil, errors.New("captoken: WithDeadline: the deadline must be positive")
	}
	dial := []grpc.DialOption{grpc.WithInsecure()}
	if o.creds != nil {
		dial = []grpc.DialOption{grpc.WithTransportCredentials(o.creds)}
	}
	dial = append(dial, o.dialOptions...)
	conn, err := grpc.Dial(target, dial...)
	if err != nil {
		return nil, err
	}
	return &TokenClient{
		conn:     conn,
		stub:     captokenv1.NewTokenServiceClient(conn),
		deadline: o.deadline,
	}, nil
}

// Close closes the connection. Calls in flight fail with codes.Canceled.
func (c *TokenClient) Close() error {
	return c.conn.Close()
}

// Stub returns the generated gRPC stub on the client's connection, for
// calls the wrapper does not cover. Its calls get no default deadline.
func (c *TokenClient) Stub() captokenv1.TokenServiceClient {
	return c.stub
}

// Kinds of token, re-exported for brevity (Verification.Kind).
const (
	KindCapability = captokenv1.TokenKind_TOKEN_KIND_CAPABILITY
	KindTaskRouter = captokenv1.TokenKind_TOKEN_KIND_TASKROUTER
	KindAccess     = captokenv1.TokenKind_TOKEN_KIND_ACCESS
)

// Token is a signed token of any kind.
type Token struct {
	// Token is the JWT, ready to hand to the Twilio SDK.
	Token string
	// ExpireTime is when the token expires (its exp claim).
	ExpireTime time.Time
	// IssueTime is when the server signed it, to the second.
	IssueTime time.Time
	// Profile is the profile the server used (never ProfileDefault).
	Profile captokenv1.Profile
	// Fingerprint is the first 16 hex digits of the token's SHA-256, as in
	// the server's audit log.
	Fingerprint string
}

// MintCapabilityToken asks the server to sign a capability token for req
// (see NewCapabilityRequest). Errors are gRPC status errors:
// codes.InvalidArgument for a malformed request (the message names the
// field), codes.PermissionDenied for an account the server does not sign
// for, codes.DeadlineExceeded, codes.Unavailable (retry), ...
func (c *TokenClient) MintCapabilityToken(ctx context.Context, req *captokenv1.CapabilityRequest) (*Token, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "request: must not be nil")
	}
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	resp, err := c.stub.MintCapabilityToken(ctx, req)
	if err != nil {
		return nil, err
	}
	return asToken(resp), nil
}

// MintTaskRouterToken asks the server to sign a TaskRouter capability token
// (with the account's auth token) for req (see NewTaskRouterRequest).
// Errors are gRPC status errors, as for MintCapabilityToken; a deny policy
// under the node profile is codes.InvalidArgument.
func (c *TokenClient) MintTaskRouterToken(ctx context.Context, req *captokenv1.TaskRouterRequest) (*Token, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "request: must not be nil")
	}
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	resp, err := c.stub.MintTaskRouterToken(ctx, req)
	if err != nil {
		return nil, err
	}
	return asToken(resp), nil
}

// MintAccessToken asks the server to sign an Access Token (with one of the
// account's API keys) for req (see NewAccessTokenRequest). Errors are gRPC
// status errors, as for MintCapabilityToken; an API key or grant the
// caller may not use is codes.PermissionDenied.
func (c *TokenClient) MintAccessToken(ctx context.Context, req *captokenv1.AccessTokenRequest) (*Token, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "request: must not be nil")
	}
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	resp, err := c.stub.MintAccessToken(ctx, req)
	if err != nil {
		return nil, err
	}
	return asToken(resp), nil
}

// MintResult is the outcome of one request of a BatchMint.
type MintResult struct {
	// Code is codes.OK or what the single-token call would have returned
	// (codes.InvalidArgument, codes.PermissionDenied, ...).
	Code codes.Code
	// Message is the server's message (it names the field); "" when OK.
	Message string
	// Token is the signed token when Code is codes.OK, else nil.
	Token *Token
}

// Err is nil for a signed item, else its status as a gRPC status error.
func (r MintResult) Err() error {
	if r.Code == codes.OK {
		return nil
	}
	return status.Error(r.Code, r.Message)
}

// BatchMint signs several requests of any kinds in one call (build them
// with CapabilityItem, TaskRouterItem and AccessTokenItem) and returns one
// result per request, in request order. One item's failure is in its
// MintResult, not an error (each item counts against the caller's rate:
// one over it gets codes.ResourceExhausted, and the items before it keep
// their tokens). The error is for the whole call only:
// codes.InvalidArgument for an empty or too large batch (the server's
// limit, 100 by default), codes.Unauthenticated, codes.PermissionDenied
// for a caller no policy names, codes.ResourceExhausted for a request over
// the server's size limit, codes.DeadlineExceeded, ...
func (c *TokenClient) BatchMint(ctx context.Context, reqs ...*captokenv1.MintRequest) ([]MintResult, error) {
	for i, r := range reqs {
		if r == nil {
			return nil, status.Errorf(codes.InvalidArgument, "requests[%d]: must not be nil", i)
		}
	}
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	resp, err := c.stub.BatchMint(ctx, &captokenv1.BatchMintRequest{Requests: reqs})
	if err != nil {
		return nil, err
	}
	if len(resp.GetResults()) != len(reqs) {
		return nil, status.Errorf(codes.Internal, "the server returned %d results for %d requests",
			len(resp.GetResults()), len(reqs))
	}
	results := make([]MintResult, len(reqs))
	for i, r := range resp.GetResults() {
		results[i] = MintResult{Code: codes.Code(r.GetCode()), Message: r.GetMessage()}
		if results[i].Code == codes.OK {
			if r.GetToken() == nil {
				results[i] = MintResult{Code: codes.Internal, Message: "the server's result has code 0 and no token"}
				continue
			}
			results[i].Token = asToken(r.GetToken())
		}
	}
	return results, nil
}

// Verification is the server's verdict on a token.
type Verification struct {
	// Valid is true only when the signature, the header and the time checks
	// all pass.
	Valid bool
	// Failure says why the token is not valid
	// (VERIFICATION_FAILURE_UNSPECIFIED when it is).
	Failure captokenv1.VerificationFailure
	// The claims below are set whenever the signature verified, even if the
	// token has expired.
	AccountSID string
	Scopes     []*captokenv1.CapabilityScope
	ExpireTime time.Time
	// IssueTime is zero when the token has no iat claim (python profile).
	IssueTime time.Time
	// Kind is the token's kind (KindCapability, KindTaskRouter,
	// KindAccess), when it could be read.
	Kind captokenv1.TokenKind
	// TaskRouter is a TaskRouter token's claims, else nil.
	TaskRouter *captokenv1.TaskRouterClaims
	// Access is an Access Token's claims (API key, identity, grants, ...),
	// else nil.
	Access *captokenv1.AccessTokenClaims
}

// VerifyToken asks the server whether token, of any kind, is valid: checked
// against the account's auth token, or for an Access Token the API key it
// names. accountSID may be empty (the account is taken from the token);
// otherwise the token must belong to that account. A token that does not
// verify is not an error: the Verification says why. Errors are gRPC status
// errors, as for MintCapabilityToken.
func (c *TokenClient) VerifyToken(ctx context.Context, token, accountSID string) (*Verification, error) {
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	resp, err := c.stub.VerifyToken(ctx, &captokenv1.VerifyTokenRequest{Token: token, AccountSid: accountSID})
	if err != nil {
		return nil, err
	}
	return &Verification{
		Valid:      resp.GetValid(),
		Failure:    resp.GetFailure(),
		AccountSID: resp.GetAccountSid(),
		Scopes:     resp.GetScopes(),
		ExpireTime: asTime(resp.GetExpireTime()),
		IssueTime:  asTime(resp.GetIssueTime()),
		Kind:       resp.GetKind(),
		TaskRouter: resp.GetTaskrouter(),
		Access:     resp.GetAccess(),
	}, nil
}

// withDeadline bounds ctx by the client's deadline; a nil ctx counts as
// context.Background().
func (c *TokenClient) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithTimeout(ctx, c.deadline)
}

func asToken(resp *captokenv1.TokenResponse) *Token {
	return &Token{
		Token:       resp.GetToken(),
		ExpireTime:  asTime(resp.GetExpireTime()),
		IssueTime:   asTime(resp.GetIssueTime()),
		Profile:     resp.GetProfile(),
		Fingerprint: resp.GetTokenFingerprint(),
	}
}

// asTime converts a timestamp, the zero time.Time when unset.
func asTime(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}
