package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
)

// InputKey is the short, stable key output names derive from an input's name
// (an absolute path or a URL). The same input always maps to the same key, so
// a rerun replaces its earlier output instead of adding to it.
func InputKey(input string) string {
	sum := sha256.Sum256([]byte(input))
	return hex.EncodeToString(sum[:8])
}

// RunKey is the stable key of a run over a set of inputs of one kind: the
// name of its manifests and rejects files.
func RunKey(kind string, inputs []string) string {
	s := append([]string(nil), inputs...)
	sort.Strings(s)
	sum := sha256.Sum256([]byte(kind + "\x00" + strings.Join(s, "\x00")))
	return hex.EncodeToString(sum[:8])
}
