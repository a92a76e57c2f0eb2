package genesys

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/genesys/genesystest"
	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

func TestLoginSession(t *testing.T) {
	now := time.Date(2024, 1, 4, 12, 0, 0, 0, time.UTC)
	// A day-long token is renewed ahead of its expiry; one living under a
	// minute only after a 401 (else every request would log in again).
	for _, tc := range []struct {
		expiresIn int64
		expires   time.Time
	}{{86400, now.Add(24 * time.Hour)}, {30, time.Time{}}} {
		e := genesystest.New(t, genesystest.Config{ExpiresIn: tc.expiresIn})
		c, err := httpx.New(httpx.Config{Vendor: "genesys"})
		if err != nil {
			t.Fatal(err)
		}
		s, err := login(context.Background(), c, e.LoginURL(), "client-id", pipeline.NewSecret("client-secret"), now)
		if err != nil {
			t.Fatal(err)
		}
		if s.Header != "Authorization" || !strings.HasPrefix(s.Value.Reveal(), "Bearer ") || len(s.Value.Reveal()) < 20 || !s.Expires.Equal(tc.expires) {
			t.Fatalf("expires_in %d: session %s %v, expires %v", tc.expiresIn, s.Header, s.Value, s.Expires)
		}
	}
}
