package org

import "fmt"

// ImportField is one documented column of a Bulk Organization Import
// upload, for writers of those files.
type ImportField struct {
	Key    string // the upload header, e.g. "activatedDate"
	Column string // the table column holding it, e.g. "activated_date"
	Type   string // "id", "text", "date", "bool" or "list"
	Max    int    // maximum characters of a text value, 0 for none
	// Required: every row needs a value (the upload's "Req Y" without a
	// documented default).
	Required bool
	// Labels are the English export headers that differ from Key.
	Labels []string
}

// ImportFields returns the upload columns of groups, teams or persons in
// the documented order (for groups and teams, the exact header the API
// demands).
func ImportFields(importType string) ([]ImportField, error) {
	s, err := specOf(importType)
	if err != nil {
		return nil, err
	}
	names := [...]string{tID: "id", tText: "text", tDate: "date", tBool: "bool", tList: "list"}
	out := make([]ImportField, len(s.fields))
	for i, f := range s.fields {
		if int(f.typ) >= len(names) {
			return nil, fmt.Errorf("org: field %s has no type name", f.key)
		}
		out[i] = ImportField{Key: f.key, Column: f.column, Type: names[f.typ], Max: f.max, Required: f.need,
			Labels: append([]string(nil), f.labels...)}
	}
	return out, nil
}

// ExactHeader reports whether uploads of importType must carry every
// column in the documented order (groups and teams).
func ExactHeader(importType string) bool {
	s, err := specOf(importType)
	return err == nil && s.exact
}
