package orgimport

import (
	"strconv"
	"strings"
	"time"
)

// Upload forms of values.
const (
	uploadDate = "01/02/2006" // zero-padded MM/DD/YYYY
	openEnded  = "12/31/2999" // "not deactivated"
)

// wireOf writes a record's values as upload cells by column key; values
// the record lacks (null) have no cell, so they are never sent empty.
func wireOf(fields []field, values map[string]any) map[string]string {
	w := map[string]string{}
	for _, f := range fields {
		v, ok := values[f.Column]
		if !ok || v == nil {
			continue
		}
		if s := cell(v); s != "" {
			w[f.Key] = s
		}
	}
	return w
}

func cell(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case time.Time:
		return x.Format(uploadDate)
	case []string:
		var items []string
		for _, s := range x {
			if s = strings.TrimSpace(s); s != "" {
				items = append(items, s)
			}
		}
		return strings.Join(items, ";")
	}
	return ""
}

// idKey is the id column of an entity's upload.
func idKey(typ string) string {
	if typ == "persons" {
		return "personId"
	}
	return "id"
}

// fill completes an upload row: the id (the tenant's, 0 for a new row),
// then every cell the input lacks from the tenant's current row, then the
// documented defaults a new group or team needs.
func fill(typ string, want map[string]string, have *current) map[string]string {
	w := map[string]string{}
	if have != nil {
		for k, v := range have.wire {
			w[k] = v
		}
	}
	for k, v := range want {
		w[k] = v
	}
	if have != nil {
		w[idKey(typ)] = strconv.Itoa(have.id)
	} else {
		w[idKey(typ)] = "0"
		if typ != "persons" && w["deactivatedDate"] == "" {
			w["deactivatedDate"] = openEnded
		}
	}
	return w
}
