package captoken_test

// The twilio-python 6.x and 7.x–9.x profiles through the real server give
// the SDKs' own bytes (tests/vectors/python/py6_*, py9_*). The server signs
// at its own second, so a case's token is moved to the response's issue
// second first: the case's header bytes, its payload text with the
// clock-derived numbers (now, now+600, now+3600) replaced, signed again with
// the server's auth token. Moving a case to its own second gives its token
// back, which is checked first.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"captoken.dev/client/go/captoken"
	"captoken.dev/client/go/captokenv1"
)

// The reference cases' frozen clock and auth token (tests/vectors README).
const (
	vectorNow       = 1700000000
	vectorAuthToken = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
)

type pythonVector struct {
	Token       string `json:"token"`
	PayloadJSON string `json:"payload_json"`
	Inputs      struct {
		// [method, args, kwargs] per SDK call, in order.
		Calls [][]json.RawMessage `json:"calls"`
	} `json:"inputs"`
}

func readVector(t *testing.T, id string) pythonVector {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "tests", "vectors", "python", id+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var v pythonVector
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return v
}

var clockNumbers = regexp.MustCompile(`\b(1700000000|1700000600|1700003600)\b`)

// vectorTokenAt is the case's token as its SDK would have signed it at
// issuedAt with secret.
func vectorTokenAt(v pythonVector, issuedAt int64, secret string) string {
	payload := clockNumbers.ReplaceAllStringFunc(v.PayloadJSON, func(n string) string {
		at, _ := strconv.ParseInt(n, 10, 64)
		return strconv.FormatInt(at-vectorNow+issuedAt, 10)
	})
	input := strings.SplitN(v.Token, ".", 2)[0] + "." +
		base64.RawURLEncoding.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// orderedParams reads python keyword arguments (a JSON object of strings)
// in their order, which is part of the token's bytes.
func orderedParams(t *testing.T, raw json.RawMessage) []captoken.Param {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("kwargs: not an object: %s", raw)
	}
	var params []captoken.Param
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var value string
		if err := dec.Decode(&value); err != nil {
			t.Fatal(err)
		}
		params = append(params, captoken.Param{Key: key.(string), Value: value})
	}
	return params
}

func checkVectorToken(t *testing.T, v pythonVector, tok *captoken.Token, profile captokenv1.Profile) {
	t.Helper()
	if tok.Profile != profile {
		t.Errorf("profile %v, want %v", tok.Profile, profile)
	}
	if want := vectorTokenAt(v, tok.IssueTime.Unix(), authToken); tok.Token != want {
		t.Errorf("server token differs from the SDK's at %d:\nserver %s\nsdk    %s",
			tok.IssueTime.Unix(), tok.Token, want)
	}
}

func TestPythonProfilesGiveTheSDKsBytes(t *testing.T) {
	c := newClient(t)
	for _, tc := range []struct {
		profile captokenv1.Profile
		id      string
	}{
		{captoken.ProfileTwilioPython6, "py6_cc05_outgoing_params_special_chars"},
		{captoken.ProfileTwilioPython7, "py9_cc05_outgoing_params_special_chars"},
	} {
		tc := tc
		t.Run(tc.id, func(t *testing.T) {
			v := readVector(t, tc.id)
			if got := vectorTokenAt(v, vectorNow, vectorAuthToken); got != v.Token {
				t.Fatalf("moving the case to its own second changed it:\n%s\n%s", got, v.Token)
			}
			// allow_client_outgoing(APP_SID, **params)
			if len(v.Inputs.Calls) != 1 || len(v.Inputs.Calls[0]) != 3 {
				t.Fatalf("want one SDK call, got %d", len(v.Inputs.Calls))
			}
			call := v.Inputs.Calls[0]
			var method string
			var args []string
			if err := json.Unmarshal(call[0], &method); err != nil || method != "allow_client_outgoing" {
				t.Fatalf("call %s, want allow_client_outgoing", call[0])
			}
			if err := json.Unmarshal(call[1], &args); err != nil || len(args) != 1 {
				t.Fatalf("args %s", call[1])
			}
			req := captoken.NewCapabilityRequest(account,
				captoken.ClientOutgoing(args[0], "", orderedParams(t, call[2])...))
			req.Profile = tc.profile
			tok, err := c.MintCapabilityToken(context.Background(), req)
			if err != nil {
				t.Fatalf("MintCapabilityToken: %v", err)
			}
			checkVectorToken(t, v, tok, tc.profile)
		})
	}
}

// py9_cc16: ClientCapabilityToken(ttl=600, nbf=None) is OmitNotBefore.
func TestOmitNotBeforeGivesTheSDKsBytes(t *testing.T) {
	c := newClient(t)
	v := readVector(t, "py9_cc16_ttl_600_no_nbf")
	req := captoken.NewCapabilityRequest(account, captoken.ClientIncoming("alice"))
	req.Profile = captoken.ProfileTwilioPython7
	req.Ttl = durationpb.New(600 * time.Second)
	req.OmitNotBefore = true
	tok, err := c.MintCapabilityToken(context.Background(), req)
	if err != nil {
		t.Fatalf("MintCapabilityToken: %v", err)
	}
	checkVectorToken(t, v, tok, captoken.ProfileTwilioPython7)
}
