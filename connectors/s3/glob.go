package s3

import (
	"errors"
	"path"
	"strings"
)

// checkGlob rejects patterns that can match nothing useful or are malformed.
func checkGlob(pattern string) error {
	if pattern == "" || strings.HasPrefix(pattern, "/") {
		return errors.New("want a relative pattern like exports/*.csv or **/*.zip")
	}
	for seg := range strings.SplitSeq(pattern, "/") {
		if seg == "**" {
			continue
		}
		if _, err := path.Match(seg, ""); err != nil {
			return err
		}
	}
	return nil
}

// matchGlob reports whether the slash-separated name matches pattern: each
// segment as path.Match, "**" as any number of whole segments.
func matchGlob(pattern, name string) (bool, error) {
	return matchSegments(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchSegments(pat, name []string) (bool, error) {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := range len(name) + 1 {
				if ok, err := matchSegments(pat[1:], name[i:]); ok || err != nil {
					return ok, err
				}
			}
			return false, nil
		}
		if len(name) == 0 {
			return false, nil
		}
		if ok, err := path.Match(pat[0], name[0]); !ok || err != nil {
			return false, err
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0, nil
}

// globPrefix is the literal start of pattern, the narrowest listing prefix
// that holds every match.
func globPrefix(pattern string) string {
	if i := strings.IndexAny(pattern, `*?[\`); i >= 0 {
		return pattern[:i]
	}
	return pattern
}
