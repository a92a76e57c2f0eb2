package pipeline

import "log/slog"

// Secret holds a credential. It never prints its value: String, GoString,
// slog and fmt's %v all render "**redacted**". Use Reveal at the one place
// the value goes on the wire.
type Secret struct{ value string }

const redacted = "**redacted**"

// NewSecret wraps v.
func NewSecret(v string) Secret { return Secret{value: v} }

// Reveal returns the secret value.
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether no value was given.
func (s Secret) IsZero() bool { return s.value == "" }

func (s Secret) String() string { return redacted }

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return redacted }

// LogValue keeps slog from printing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText keeps encoders from printing the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
