package httpx

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// QuotaKey names a vendor quota by what identifies it: the vendor, the
// address and the credential (user name, client id, token). The parts are
// hashed, so a key never holds a secret and can be logged.
func QuotaKey(vendor string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return vendor + ":" + hex.EncodeToString(h.Sum(nil)[:12])
}

// quotas holds the process's shared limiters by quota and limits.
var quotas struct {
	sync.Mutex
	byKey map[string]*Limiter
}

// quotaLimiter returns the process's limiter for quota under limits, made
// on first use; with no quota, a new limiter. Limits are part of the key:
// jobs that give one credential different rate limits each keep their own.
func quotaLimiter(quota string, limits Limits) (*Limiter, error) {
	if quota == "" {
		return NewLimiter(limits)
	}
	key := quota + "|" + limitsString(limits)
	quotas.Lock()
	defer quotas.Unlock()
	if l := quotas.byKey[key]; l != nil {
		return l, nil
	}
	l, err := NewLimiter(limits)
	if err != nil {
		return nil, err
	}
	if quotas.byKey == nil {
		quotas.byKey = map[string]*Limiter{}
	}
	quotas.byKey[key] = l
	return l, nil
}

// limitsString writes limits in one canonical form.
func limitsString(l Limits) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(l)) {
		fmt.Fprintf(&b, "%s=", k)
		for _, w := range l[k] {
			fmt.Fprintf(&b, "%d/%v/%v,", w.Requests, w.Per, w.Margin)
		}
		b.WriteByte(';')
	}
	return b.String()
}
