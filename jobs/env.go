package jobs

import (
	"os"
	"strings"
)

// Env looks up variables; the loader is the only place that reads the
// process environment (LookupEnv), tests pass a map.
type Env func(name string) (string, bool)

// OSEnv reads the process environment.
func OSEnv() Env { return os.LookupEnv }

// MapEnv is an Env over a map.
func MapEnv(m map[string]string) Env {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// interpolate replaces ${VAR} and ${VAR:default}. It returns the names of
// variables that are unset and have no default. "$$" is a literal "$".
func interpolate(s string, env Env) (string, []string) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	var missing []string
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		if s[i+1] == '$' {
			b.WriteByte('$')
			i++
			continue
		}
		if s[i+1] != '{' {
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			b.WriteString(s[i:])
			break
		}
		expr := s[i+2 : i+end]
		name, def, hasDef := strings.Cut(expr, ":")
		if v, ok := env(name); ok && v != "" {
			b.WriteString(v)
		} else if hasDef {
			b.WriteString(def)
		} else {
			missing = append(missing, name)
		}
		i += end
	}
	return b.String(), missing
}
