package captoken_test

// End-to-end tests: TestMain starts the real captoken server binary on a free
// loopback port, and the tests call it through package captoken, checking
// each minted token byte for byte against the captoken CLI signing the same
// request locally at the same second.
//
//	CAPTOKEN_SERVER  the server binary (default /work/main/bazel-bin/service/server)
//	CAPTOKEN_CLI     the CLI binary    (default /work/main/bazel-bin/client/cli/captoken)
//
// Build both with `bazel build //service:server //client/cli:captoken` at
// the root of the repository; test.sh does it when they are missing.

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"captoken.dev/client/go/captoken"
	"captoken.dev/client/go/captokenv1"
)

const (
	account    = "AC0123456789abcdef0123456789abcdef"
	appSID     = "AP89abcdef0123456789abcdef01234567"
	authEnvVar = "GO_E2E_AUTH_TOKEN"

	// The account's API keys, in config order: a retired (verify-only) key
	// first, so that the server's default is keySID, the first that may sign.
	retiredKeySID = "SK00000000000000000000000000000000"
	keySID        = "SK0123456789abcdef0123456789abcdef"
	otherKeySID   = "SKfedcba9876543210fedcba9876543210"
)

var (
	serverAddr string // "127.0.0.1:PORT" of the server TestMain started
	cliPath    string
	authToken  string // random per run, known to the server and the CLI only
	// keySecrets holds each API key's secret, random per run, and keyEnvVars
	// the variable the server and the CLI read it from.
	keySecrets = map[string]string{}
	keyEnvVars = map[string]string{
		retiredKeySID: "GO_E2E_RETIRED_KEY_SECRET",
		keySID:        "GO_E2E_KEY_SECRET",
		otherKeySID:   "GO_E2E_OTHER_KEY_SECRET",
	}
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run starts the server, runs the tests, stops the server (SIGTERM; it
// must exit 0) and returns the exit code.
func run(m *testing.M) int {
	serverPath := envOr("CAPTOKEN_SERVER", "/work/main/bazel-bin/service/server")
	cliPath = envOr("CAPTOKEN_CLI", "/work/main/bazel-bin/client/cli/captoken")
	for _, p := range []string{serverPath, cliPath} {
		if _, err := os.Stat(p); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: %v\n(build it: cd /work/main && bazel build //service:server //client/cli:captoken,"+
				" or set CAPTOKEN_SERVER / CAPTOKEN_CLI)\n", err)
			return 1
		}
	}
	var err error
	if authToken, err = randomSecret(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	for sid := range keyEnvVars {
		if keySecrets[sid], err = randomSecret(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			return 1
		}
	}

	dir, err := os.MkdirTemp("", "captoken-go-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	config := filepath.Join(dir, "server.textproto")
	if err := os.WriteFile(config, []byte(`listen_address: "127.0.0.1:0"
accounts { account_sid: "`+account+`" auth_token { env: "`+authEnvVar+`" }
  api_keys { sid: "`+retiredKeySID+`" secret { env: "`+keyEnvVars[retiredKeySID]+`" } verify_only: true }
  api_keys { sid: "`+keySID+`" secret { env: "`+keyEnvVars[keySID]+`" } }
  api_keys { sid: "`+otherKeySID+`" secret { env: "`+keyEnvVars[otherKeySID]+`" } } }
`), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}

	srv, err := startServer(serverPath, config)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: starting the server:", err)
		return 1
	}
	serverAddr = fmt.Sprintf("127.0.0.1:%d", srv.port)

	code := m.Run()

	if err := srv.stop(15 * time.Second); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: stopping the server:", err)
		code = 1
	}
	if code != 0 {
		fmt.Fprintf(os.Stderr, "e2e: server log:\n%s", srv.log())
	}
	return code
}

func randomSecret() (string, error) {
	secret := make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		return "", err
	}
	return hex.EncodeToString(secret), nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// server is the captoken server process.
type server struct {
	cmd    *exec.Cmd
	port   int
	mu     sync.Mutex
	lines  []string // its stderr (JSON log lines)
	exited chan error
}

func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.lines, "\n") + "\n"
}

// startServer runs `path --config=config` and waits for its "listening" log
// line, which carries the port it bound.
func startServer(path, config string) (*server, error) {
	cmd := exec.Command(path, "--config="+config)
	cmd.Env = append(os.Environ(), authEnvVar+"="+authToken)
	for sid, name := range keyEnvVars {
		cmd.Env = append(cmd.Env, name+"="+keySecrets[sid])
	}
	cmd.SysProcAttr = sysProcAttr() // dies with the test binary (Linux)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, exited: make(chan error, 1)}
	ports := make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		found := false
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.lines = append(s.lines, line)
			s.mu.Unlock()
			var entry struct {
				Event string `json:"event"`
				Port  int    `json:"port"`
			}
			if !found && json.Unmarshal([]byte(line), &entry) == nil && entry.Event == "listening" && entry.Port > 0 {
				found = true
				ports <- entry.Port
			}
		}
		io.Copy(io.Discard, stderr)
		s.exited <- cmd.Wait()
	}()
	select {
	case s.port = <-ports:
		return s, nil
	case err := <-s.exited:
		return nil, fmt.Errorf("exited before listening (%v):\n%s", err, s.log())
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		return nil, fmt.Errorf("no \"listening\" log line within 30s:\n%s", s.log())
	}
}

// stop sends SIGTERM and expects a clean exit (status 0) within timeout.
func (s *server) stop(timeout time.Duration) error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case err := <-s.exited:
		if err != nil {
			return fmt.Errorf("after SIGTERM: %v", err)
		}
		return nil
	case <-time.After(timeout):
		s.cmd.Process.Kill()
		return fmt.Errorf("still running %v after SIGTERM; killed", timeout)
	}
}

func newClient(t *testing.T, opts ...captoken.Option) *captoken.TokenClient {
	t.Helper()
	c, err := captoken.NewTokenClient(serverAddr, opts...)
	if err != nil {
		t.Fatalf("NewTokenClient(%q): %v", serverAddr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// cliSign signs req locally with the CLI, as at unix second issuedAt:
// `captoken sign capability|taskrouter|access`, by the request's type.
func cliSign(t *testing.T, req proto.Message, issuedAt int64) string {
	t.Helper()
	js, err := protojson.Marshal(req)
	if err != nil {
		t.Fatalf("protojson.Marshal: %v", err)
	}
	kind, secretFlag, envVar, secret := "capability", "--auth-token-env", authEnvVar, authToken
	switch r := req.(type) {
	case *captokenv1.TaskRouterRequest:
		kind = "taskrouter"
	case *captokenv1.AccessTokenRequest:
		sid := r.GetApiKeySid()
		if sid == "" {
			sid = keySID // the server's default
		}
		kind, secretFlag, envVar, secret = "access", apiKeySecretFlag, keyEnvVars[sid], keySecrets[sid]
	}
	cmd := exec.Command(cliPath, "sign", kind, "--request="+string(js),
		secretFlag+"="+envVar, fmt.Sprintf("--issued-at=%d", issuedAt))
	cmd.Env = append(os.Environ(), envVar+"="+secret)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("captoken sign %s --request=%s: %v\n%s", kind, js, err, stderr.String())
	}
	return strings.TrimRight(string(out), "\n")
}

// jwtPayload decodes (without verifying) the claims of a compact JWT.
func jwtPayload(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments, want 3: %q", len(parts), token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("token payload: %v", err)
	}
	claims := map[string]any{}
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatalf("token payload %q: %v", raw, err)
	}
	return claims
}

// The parameters exercise the encodings: spaces, &, =, +, %, non-ASCII, an
// empty value, and an order that is not sorted.
var tricky = []captoken.Param{
	{Key: "To", Value: "+1 555 123 4567"},
	{Key: "b&c=d", Value: "x=1&y=2"},
	{Key: "Ünïcødé", Value: "日本語 ✓ é"},
	{Key: "a+b", Value: "100% sure/ok?"},
	{Key: "empty", Value: ""},
}

func TestMintMatchesCLI(t *testing.T) {
	c := newClient(t)
	scopeCases := []struct {
		name   string
		scopes []*captokenv1.CapabilityScope
	}{
		{"no_scopes", nil},
		{"client_incoming", []*captokenv1.CapabilityScope{captoken.ClientIncoming("alice")}},
		{"client_incoming_tricky_name", []*captokenv1.CapabilityScope{captoken.ClientIncoming("Zoë & Ann=1+2 ok")}},
		{"client_outgoing_bare", []*captokenv1.CapabilityScope{captoken.ClientOutgoing(appSID, "")}},
		{"client_outgoing_params_and_name", []*captokenv1.CapabilityScope{
			captoken.ClientOutgoing(appSID, "bob smith", tricky...)}},
		{"event_stream_bare", []*captokenv1.CapabilityScope{captoken.EventStream()}},
		{"event_stream_filters", []*captokenv1.CapabilityScope{
			captoken.EventStream(captoken.Param{Key: "CallSid", Value: "CA123"}, tricky[1], tricky[2])}},
		{"all_kinds", []*captokenv1.CapabilityScope{
			captoken.ClientIncoming("alice"),
			captoken.ClientOutgoing(appSID, "alice", tricky...),
			captoken.EventStream(captoken.Param{Key: "z", Value: "last"}, captoken.Param{Key: "a", Value: "first"}),
		}},
		{"repeated_kinds", []*captokenv1.CapabilityScope{
			captoken.EventStream(captoken.Param{Key: "n", Value: "1"}),
			captoken.ClientIncoming("alice"),
			captoken.EventStream(captoken.Param{Key: "n", Value: "2"}),
			captoken.ClientIncoming("bob"),
		}},
	}
	lifetimes := []struct {
		name string
		set  func(*captokenv1.CapabilityRequest)
		want time.Duration // expire - issue
	}{
		{"default_ttl", func(*captokenv1.CapabilityRequest) {}, time.Hour},
		{"ttl_600s", func(r *captokenv1.CapabilityRequest) { r.Ttl = durationpb.New(600 * time.Second) }, 600 * time.Second},
		{"ttl_24h", func(r *captokenv1.CapabilityRequest) { r.Ttl = durationpb.New(24 * time.Hour) }, 24 * time.Hour},
	}
	profiles := []captokenv1.Profile{captoken.ProfileTwilioPython, captoken.ProfileTwilioNode}

	for _, profile := range profiles {
		for _, sc := range scopeCases {
			for _, lt := range lifetimes {
				profile, sc, lt := profile, sc, lt
				t.Run(fmt.Sprintf("%s/%s/%s", profile, sc.name, lt.name), func(t *testing.T) {
					req := captoken.NewCapabilityRequest(account, sc.scopes...)
					req.Profile = profile
					lt.set(req)
					sent := proto.Clone(req).(*captokenv1.CapabilityRequest)

					before := time.Now().Truncate(time.Second)
					tok, err := c.MintCapabilityToken(context.Background(), req)
					if err != nil {
						t.Fatalf("MintCapabilityToken: %v", err)
					}
					after := time.Now()
					if !proto.Equal(req, sent) {
						t.Fatalf("the request was modified: %v, sent %v", req, sent)
					}
					checkToken(t, tok, profile, lt.want, before, after)

					want := cliSign(t, req, tok.IssueTime.Unix())
					if tok.Token != want {
						t.Errorf("server token differs from `captoken sign` at %d:\nserver %s\ncli    %s",
							tok.IssueTime.Unix(), tok.Token, want)
					}
				})
			}
		}
	}
}

// An absolute expire_time instead of a ttl.
func TestMintExpireTimeMatchesCLI(t *testing.T) {
	c := newClient(t)
	for _, profile := range []captokenv1.Profile{captoken.ProfileTwilioPython, captoken.ProfileTwilioNode} {
		exp := time.Now().Add(20 * time.Minute).Truncate(time.Second)
		req := captoken.NewCapabilityRequest(account, captoken.ClientIncoming("alice"),
			captoken.ClientOutgoing(appSID, "alice", tricky...))
		req.Profile = profile
		req.ExpireTime = timestamppb.New(exp)
		tok, err := c.MintCapabilityToken(context.Background(), req)
		if err != nil {
			t.Fatalf("%v: MintCapabilityToken: %v", profile, err)
		}
		if !tok.ExpireTime.Equal(exp) {
			t.Errorf("%v: ExpireTime %v, want %v", profile, tok.ExpireTime, exp)
		}
		if want := cliSign(t, req, tok.IssueTime.Unix()); tok.Token != want {
			t.Errorf("%v: server token differs from `captoken sign`:\nserver %s\ncli    %s", profile, tok.Token, want)
		}
	}
}

// checkToken checks what the response says against the token itself.
func checkToken(t *testing.T, tok *captoken.Token, profile captokenv1.Profile, ttl time.Duration, before, after time.Time) {
	t.Helper()
	if tok.Profile != profile {
		t.Errorf("Profile %v, want %v", tok.Profile, profile)
	}
	if tok.IssueTime.Before(before) || tok.IssueTime.After(after) {
		t.Errorf("IssueTime %v, not between %v and %v", tok.IssueTime, before, after)
	}
	if got := tok.ExpireTime.Sub(tok.IssueTime); got != ttl {
		t.Errorf("ExpireTime - IssueTime = %v, want %v", got, ttl)
	}
	sum := sha256.Sum256([]byte(tok.Token))
	if want := hex.EncodeToString(sum[:])[:16]; tok.Fingerprint != want {
		t.Errorf("Fingerprint %q, want %q", tok.Fingerprint, want)
	}
	claims := jwtPayload(t, tok.Token)
	if claims["iss"] != account {
		t.Errorf("iss claim %v, want %s", claims["iss"], account)
	}
	if exp, _ := claims["exp"].(float64); int64(exp) != tok.ExpireTime.Unix() {
		t.Errorf("exp claim %v, want %d", claims["exp"], tok.ExpireTime.Unix())
	}
}

func TestInvalidArgument(t *testing.T) {
	c := newClient(t)
	badTTL := captoken.NewCapabilityRequest(account, captoken.ClientIncoming("alice"))
	badTTL.Ttl = durationpb.New(0)
	cases := []struct {
		name  string
		req   *captokenv1.CapabilityRequest
		field string // the message must name it
	}{
		{"short_account_sid", captoken.NewCapabilityRequest("AC123", captoken.ClientIncoming("alice")), "account_sid"},
		{"ttl_zero", badTTL, "ttl"},
		{"bad_application_sid", captoken.NewCapabilityRequest(account, captoken.ClientIncoming("alice"),
			captoken.ClientOutgoing("AP123", "")), "scopes[1].client_outgoing.application_sid"},
		{"empty_client_name", captoken.NewCapabilityRequest(account, captoken.ClientIncoming("")),
			"scopes[0].client_incoming.client_name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := c.MintCapabilityToken(context.Background(), tc.req)
			if err == nil {
				t.Fatalf("minted %q, want INVALID_ARGUMENT", tok.Token)
			}
			if got := status.Code(err); got != codes.InvalidArgument {
				t.Fatalf("status.Code(%v) = %v, want InvalidArgument", err, got)
			}
			st, ok := status.FromError(err)
			if !ok || !strings.Contains(st.Message(), tc.field) {
				t.Errorf("message %q does not name %q", st.Message(), tc.field)
			}
		})
	}
}

func TestUnknownAccountIsPermissionDenied(t *testing.T) {
	c := newClient(t)
	_, err := c.MintCapabilityToken(context.Background(),
		captoken.NewCapabilityRequest("ACffffffffffffffffffffffffffffffff", captoken.ClientIncoming("alice")))
	if got := status.Code(err); got != codes.PermissionDenied {
		t.Fatalf("status.Code(%v) = %v, want PermissionDenied", err, got)
	}
}

// silentServer accepts TCP connections and never answers.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn) // held open, never read or written
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

func TestDeadlineAgainstSilentServer(t *testing.T) {
	addr := silentServer(t)
	req := captoken.NewCapabilityRequest(account, captoken.ClientIncoming("alice"))

	t.Run("client_deadline", func(t *testing.T) {
		c, err := captoken.NewTokenClient(addr, captoken.WithDeadline(300*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		start := time.Now()
		_, err = c.MintCapabilityToken(context.Background(), req)
		if got := status.Code(err); got != codes.DeadlineExceeded {
			t.Fatalf("status.Code(%v) = %v, want DeadlineExceeded", err, got)
		}
		if d := time.Since(start); d > 4*time.Second { // the 5 s default was not used
			t.Errorf("took %v with a 300ms deadline", d)
		}
		_, err = c.VerifyToken(context.Background(), "a.b.c", "")
		if got := status.Code(err); got != codes.DeadlineExceeded {
			t.Fatalf("VerifyToken: status.Code(%v) = %v, want DeadlineExceeded", err, got)
		}
	})

	t.Run("context_deadline_is_earlier", func(t *testing.T) {
		c, err := captoken.NewTokenClient(addr, captoken.WithDeadline(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = c.MintCapabilityToken(ctx, req)
		if got := status.Code(err); got != codes.DeadlineExceeded {
			t.Fatalf("status.Code(%v) = %v, want DeadlineExceeded", err, got)
		}
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("took %v with a 300ms context deadline", d)
		}
	})
}

func TestVerifyToken(t *testing.T) {
	c := newClient(t)
	for _, profile := range []captokenv1.Profile{captoken.ProfileTwilioPython, captoken.ProfileTwilioNode} {
		req := captoken.NewCapabilityRequest(account, captoken.ClientIncoming("alice"))
		req.Profile = profile
		tok, err := c.MintCapabilityToken(context.Background(), req)
		if err != nil {
			t.Fatalf("%v: MintCapabilityToken: %v", profile, err)
		}
		for _, sid := range []string{"", account} {
			v, err := c.VerifyToken(context.Background(), tok.Token, sid)
			if err != nil {
				t.Fatalf("%v: VerifyToken(account %q): %v", profile, sid, err)
			}
			if !v.Valid || v.Failure != captokenv1.VerificationFailure_VERIFICATION_FAILURE_UNSPECIFIED {
				t.Errorf("%v: VerifyToken(account %q): valid %v, failure %v", profile, sid, v.Valid, v.Failure)
			}
			if v.AccountSID != account || !v.ExpireTime.Equal(tok.ExpireTime) {
				t.Errorf("%v: VerifyToken: account %q, expire %v; want %q, %v",
					profile, v.AccountSID, v.ExpireTime, account, tok.ExpireTime)
			}
			if len(v.Scopes) != 1 || v.Scopes[0].GetClientIncoming().GetClientName() != "alice" {
				t.Errorf("%v: VerifyToken: scopes %v, want client_incoming alice", profile, v.Scopes)
			}
		}

		// The same token with its signature altered does not verify.
		forged := tok.Token[:len(tok.Token)-2] + flip(tok.Token[len(tok.Token)-2]) + tok.Token[len(tok.Token)-1:]
		v, err := c.VerifyToken(context.Background(), forged, "")
		if err != nil {
			t.Fatalf("%v: VerifyToken(forged): %v", profile, err)
		}
		if v.Valid || v.Failure != captokenv1.VerificationFailure_VERIFICATION_FAILURE_BAD_SIGNATURE {
			t.Errorf("%v: VerifyToken(forged): valid %v, failure %v; want BAD_SIGNATURE", profile, v.Valid, v.Failure)
		}
	}
}

func flip(b byte) string {
	if b == 'A' {
		return "B"
	}
	return "A"
}

// Errors are the gRPC status errors themselves: errors.As finds the status too.
func TestErrorsKeepStatus(t *testing.T) {
	c := newClient(t)
	_, err := c.MintCapabilityToken(context.Background(), captoken.NewCapabilityRequest("AC123"))
	var se interface{ GRPCStatus() *status.Status }
	if !errors.As(err, &se) || se.GRPCStatus().Code() != codes.InvalidArgument {
		t.Fatalf("errors.As(%v) found no INVALID_ARGUMENT status", err)
	}
}
