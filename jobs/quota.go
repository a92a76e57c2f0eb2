package jobs

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/ccetl/ccetl/pipeline"
)

// identityOptions name where an API is and whom it serves; with a kind's
// secret options they tell one credential from another.
var identityOptions = []string{"base_url", "login_url", "api_url", "client_name", "client_id", "username"}

// Quotas names the vendor credentials a job's API sources draw on (one
// key per credential; a key never holds a secret), and the cooldown that
// keeps their rate limits between two holders: the longest span of their
// rate_limit. File sources draw on none.
func Quotas(job *Job, reg *pipeline.Registry) (keys []string, cooldown time.Duration) {
	for _, s := range job.Sources {
		k, err := reg.Kind(s.Kind)
		if err != nil {
			continue
		}
		h := sha256.New()
		secret := false
		vendor, _, _ := strings.Cut(s.Kind, "-")
		h.Write([]byte(vendor))
		rate := ""
		for _, o := range k.Options {
			v, ok := s.Options[o.Name]
			if !ok {
				v = o.Default
			}
			switch {
			case o.Secret && v != "":
				secret = true
			case o.Name == "rate_limit":
				rate = v
				continue
			case !slices.Contains(identityOptions, o.Name):
				continue
			}
			h.Write([]byte{0})
			h.Write([]byte(o.Name + "=" + v))
		}
		if !secret {
			continue
		}
		key := vendor + "-" + hex.EncodeToString(h.Sum(nil)[:12])
		if !slices.Contains(keys, key) {
			keys = append(keys, key)
		}
		cooldown = max(cooldown, longestSpan(rate))
	}
	slices.Sort(keys)
	return keys, cooldown
}
