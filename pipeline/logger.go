package pipeline

import "log/slog"

// OrDiscard returns l, or a logger that writes nothing when l is nil: the
// logger of a config that did not set one.
func OrDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
