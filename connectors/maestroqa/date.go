package maestroqa

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/parse"
)

// The reference types createdAt, updatedAt, meetingDate, timestamp and
// completedAt as "Date" and never says how a Date is written on the wire
// (doc error 59). parseDate accepts the forms a JavaScript/MongoDB service
// emits:
//
//   - an ISO-8601 / RFC 3339 string, with or without fraction and zone, or a
//     date alone (midnight); a missing zone means UTC;
//   - epoch milliseconds as a JSON number (1970 to 9999);
//   - MongoDB extended JSON: {"$date": <either of the above>} or
//     {"$date": {"$numberLong": "<epoch ms>"}}.
//
// Anything else is an error naming the accepted forms, never the value.

var errDate = errors.New("not a valid Date: want an ISO-8601 string, epoch milliseconds or {\"$date\": ...}")

// extraLayouts are ISO-8601 forms parse.Timestamp does not take: numeric
// zones without a colon (+0000), as some JavaScript libraries write them.
var extraLayouts = []string{
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02 15:04:05.999999999-0700",
}

func parseDate(b []byte) (int64, error) {
	switch jsonType(b) {
	case "a string":
		s, err := unquote(b)
		if err != nil {
			return 0, err
		}
		return parseDateString(s)
	case "a number":
		ms, err := parse.EpochMillis(b)
		if err != nil {
			return 0, errDate
		}
		return ms, nil
	case "an object":
		return parseExtended(b)
	}
	return 0, errDate
}

func parseDateString(s string) (int64, error) {
	if ms, err := parse.Timestamp(s); err == nil {
		return ms, nil
	}
	for _, l := range extraLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UnixMilli(), nil
		}
	}
	return 0, errDate
}

// parseExtended reads MongoDB extended JSON: exactly one key, "$date".
func parseExtended(b []byte) (int64, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || len(m) != 1 {
		return 0, errDate
	}
	v, ok := m["$date"]
	if !ok {
		return 0, errDate
	}
	if jsonType(v) == "an object" {
		var n map[string]json.RawMessage
		if err := json.Unmarshal(v, &n); err != nil || len(n) != 1 {
			return 0, errDate
		}
		long, ok := n["$numberLong"]
		if !ok || jsonType(long) != "a string" {
			return 0, errDate
		}
		ms, err := parse.EpochMillis(long[1 : len(long)-1])
		if err != nil {
			return 0, errDate
		}
		return ms, nil
	}
	return parseDate(v)
}
