package parquet

import (
	"fmt"
	"regexp"
	"strings"
)

// clause is one partition comparison: key op value.
type clause struct {
	key, op, value string
}

// filter is clauses joined by and; the empty filter matches everything.
type filter []clause

var (
	clauseRE  = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|!=|=|<|>)\s*(\S+)\s*$`)
	betweenRE = regexp.MustCompile(`(?i)^\s*([A-Za-z_][A-Za-z0-9_]*)\s+between\s+(\S+)\s+and\s+(\S+)\s*$`)
	andRE     = regexp.MustCompile(`(?i)\s+and\s+`)
)

// parseFilter reads a where option: comparisons (=, !=, <, <=, >, >=) and
// between ... and ..., joined by and.
func parseFilter(s string) (filter, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var f filter
	// between's own "and" binds first: take "k between a and b" out whole.
	for s != "" {
		if m := betweenRE.FindStringSubmatch(firstBetween(s)); m != nil {
			f = append(f, clause{m[1], ">=", unquote(m[2])}, clause{m[1], "<=", unquote(m[3])})
			s = strings.TrimSpace(s[len(firstBetween(s)):])
			s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "and"), "AND"))
			continue
		}
		part := s
		rest := ""
		if loc := andRE.FindStringIndex(s); loc != nil {
			part, rest = s[:loc[0]], s[loc[1]:]
		}
		m := clauseRE.FindStringSubmatch(part)
		if m == nil {
			return nil, fmt.Errorf("where: %q is not a comparison such as dt >= 2024-05-01", strings.TrimSpace(part))
		}
		f = append(f, clause{m[1], m[2], unquote(m[3])})
		s = strings.TrimSpace(rest)
	}
	return f, nil
}

// firstBetween returns the leading "k between a and b" of s, or "".
func firstBetween(s string) string {
	f := strings.Fields(s)
	if len(f) >= 5 && strings.EqualFold(f[1], "between") && strings.EqualFold(f[3], "and") {
		return strings.Join(f[:5], " ")
	}
	return ""
}

func unquote(v string) string { return strings.Trim(v, `'"`) }

// keys lists the partition keys the filter uses.
func (f filter) keys() []string {
	var out []string
	for _, c := range f {
		out = append(out, c.key)
	}
	return out
}

// match reports whether partition values pass every clause.
func (f filter) match(parts map[string]string) bool {
	for _, c := range f {
		v, ok := parts[c.key]
		if !ok || v == nullPartition {
			return false
		}
		cmp := strings.Compare(v, c.value)
		var ok2 bool
		switch c.op {
		case "=":
			ok2 = cmp == 0
		case "!=":
			ok2 = cmp != 0
		case "<":
			ok2 = cmp < 0
		case "<=":
			ok2 = cmp <= 0
		case ">":
			ok2 = cmp > 0
		case ">=":
			ok2 = cmp >= 0
		}
		if !ok2 {
			return false
		}
	}
	return true
}

const nullPartition = "__HIVE_DEFAULT_PARTITION__"
