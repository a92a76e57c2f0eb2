package lake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// SchemaFingerprint is a stable hash of a schema's column names, types and
// nullability. It changes exactly when a reader's view of the table does.
func SchemaFingerprint(s *arrow.Schema) string {
	var b strings.Builder
	for _, f := range s.Fields() {
		fmt.Fprintf(&b, "%s:%s:%t\n", f.Name, f.Type, f.Nullable)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return "sha256:" + hex.EncodeToString(sum[:])
}
