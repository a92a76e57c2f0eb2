package livevox

import (
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
)

func TestParseOptions(t *testing.T) {
	base := map[string]string{"base_url": "https://api.livevox.com/", "access_token": "t", "client_name": "C", "username": "u", "password": "p"}
	o, err := ParseOptions(base)
	if err != nil {
		t.Fatal(err)
	}
	if o.BaseURL.String() != "https://api.livevox.com" || o.PageSize != 1000 || o.ConfigurationPath != "/configuration" ||
		o.SessionPath != "/session" || len(o.RateLimit) != 1 || o.RateLimit[0] != (httpx.Window{Requests: 5, Per: time.Second, Margin: 50 * time.Millisecond}) ||
		o.Timeout != time.Minute || o.MaxAttempts != 8 || o.RetryBudget != 100 {
		t.Errorf("defaults: %+v", o)
	}
	if o.AccessToken.String() != "**redacted**" || o.Password.String() != "**redacted**" || o.AccessToken.Reveal() != "t" {
		t.Errorf("secrets: %s %s", o.AccessToken, o.Password)
	}

	_, err = ParseOptions(map[string]string{"base_url": "api.livevox.com", "page_size": "0", "client_id": "x",
		"timeout": "-1s", "configuration_path": "/", "rate_limit": "5/second"})
	for _, want := range []string{"base_url must be", "access_token is required", "client_name is required", "username is required",
		"password is required", "page_size", "client_id", "timeout", "configuration_path", "rate_limit"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

func TestParseRateLimit(t *testing.T) {
	ws, err := ParseRateLimit("5/1s, 200/1m")
	if err != nil || len(ws) != 2 || ws[1] != (httpx.Window{Requests: 200, Per: time.Minute, Margin: 3 * time.Second}) || ws[0].Margin != 50*time.Millisecond {
		t.Errorf("%v %v", ws, err)
	}
	if ws, err := ParseRateLimit("none"); err != nil || ws != nil {
		t.Errorf("none: %v %v", ws, err)
	}
	for _, bad := range []string{"", "5", "0/1s", "5/0s", "x/1s", "5/1s,"} {
		if _, err := ParseRateLimit(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
