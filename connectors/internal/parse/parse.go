package parse

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

var (
	ErrInt      = errors.New("not a whole number")
	ErrNegative = errors.New("must not be negative")
	ErrFloat    = errors.New("not a number")
	ErrBool     = errors.New("not a boolean (want true/false, True/False, TRUE/FALSE, 1/0)")
	ErrDate     = errors.New("not a valid date")
	ErrTime     = errors.New("not a valid time of day HH:MM")
	ErrTS       = errors.New("not a valid timestamp")
)

// Int parses a base-10 int64, optionally signed, with no spaces.
func Int(b []byte) (int64, error) {
	if len(b) == 0 || len(b) > 20 {
		return 0, ErrInt
	}
	neg := false
	i := 0
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		i = 1
		if len(b) == 1 {
			return 0, ErrInt
		}
	}
	if len(b)-i > 18 { // may overflow: take the slow, exact path
		v, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return 0, ErrInt
		}
		return v, nil
	}
	var v int64
	for ; i < len(b); i++ {
		c := b[i] - '0'
		if c > 9 {
			return 0, ErrInt
		}
		v = v*10 + int64(c)
	}
	if neg {
		v = -v
	}
	return v, nil
}

// Count parses a non-negative whole number. A value such as "12.0" is
// accepted when it has no fraction, since spreadsheets write counts that way.
func Count(b []byte) (int64, error) {
	v, err := Int(b)
	if err != nil {
		f, ferr := Float(b)
		if ferr != nil || f != float64(int64(f)) {
			return 0, ErrInt
		}
		v = int64(f)
	}
	if v < 0 {
		return 0, ErrNegative
	}
	return v, nil
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// Float parses a float64 (no NaN or infinities).
func Float(b []byte) (float64, error) {
	if len(b) == 0 {
		return 0, ErrFloat
	}
	if v, ok := simpleDecimal(b); ok {
		return v, nil
	}
	for _, c := range b { // reject inf, nan, hex and underscores strconv allows
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return 0, ErrFloat
		}
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, ErrFloat
	}
	return v, nil
}

// simpleDecimal parses [-+]digits[.digits] with at most 15 digits in all,
// the common case, without allocating. Mantissa and power of ten are both
// exact in a float64, so the one division is correctly rounded, the same
// result strconv.ParseFloat gives.
func simpleDecimal(b []byte) (float64, bool) {
	i, neg := 0, false
	if b[0] == '-' || b[0] == '+' {
		neg, i = b[0] == '-', 1
	}
	var mant int64
	digits, frac, dot := 0, 0, false
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + int64(c-'0')
			digits++
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return 0, false
	}
	v := float64(mant) / pow10[frac]
	if neg {
		v = -v
	}
	return v, true
}

// Bool accepts true/false in any case and 1/0.
func Bool(b []byte) (bool, error) {
	switch len(b) {
	case 1:
		if b[0] == '1' {
			return true, nil
		}
		if b[0] == '0' {
			return false, nil
		}
	case 4:
		if strings.EqualFold(string(b), "true") {
			return true, nil
		}
	case 5:
		if strings.EqualFold(string(b), "false") {
			return false, nil
		}
	}
	return false, ErrBool
}

// DateOrder decides slash dates with the year last.
type DateOrder int

const (
	MDY DateOrder = iota // MM/DD/YYYY (US)
	DMY                  // DD/MM/YYYY (European)
)

// ParseDateOrder reads "mdy" or "dmy" ("" is mdy).
func ParseDateOrder(s string) (DateOrder, error) {
	switch strings.ToLower(s) {
	case "", "mdy":
		return MDY, nil
	case "dmy":
		return DMY, nil
	}
	return MDY, errors.New("date_order must be mdy or dmy")
}

// Date parses YYYY-MM-DD, YYYY/MM/DD, and with the year last M/D/YYYY or
// D/M/YYYY (by order; one- or two-digit day and month). It returns days since
// 1970-01-01.
func Date(b []byte, order DateOrder) (int32, error) {
	n := len(b)
	if n < 8 || n > 10 {
		return 0, ErrDate
	}
	if _, year := digits(b[:4]); year && (b[4] == '-' || b[4] == '/') { // year first: exact YYYY-MM-DD or YYYY/MM/DD
		if n != 10 || b[7] != b[4] {
			return 0, ErrDate
		}
		y, ok1 := digits(b[0:4])
		m, ok2 := digits(b[5:7])
		d, ok3 := digits(b[8:10])
		if !ok1 || !ok2 || !ok3 {
			return 0, ErrDate
		}
		return Days(y, m, d)
	}
	i := indexByte(b, '/')
	if i < 1 || i > 2 {
		return 0, ErrDate
	}
	j := i + 1 + indexByte(b[i+1:], '/')
	if j-i-1 < 1 || j-i-1 > 2 || n-j-1 != 4 {
		return 0, ErrDate
	}
	a, ok1 := digits(b[:i])
	c, ok2 := digits(b[i+1 : j])
	y, ok3 := digits(b[j+1:])
	if !ok1 || !ok2 || !ok3 {
		return 0, ErrDate
	}
	if order == DMY {
		a, c = c, a
	}
	return Days(y, a, c)
}

// Days returns the days since 1970-01-01 of a calendar date, checking it.
func Days(y, m, d int) (int32, error) {
	if y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, ErrDate
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return int32(t.Unix() / 86400), nil
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// ClockMinutes parses HH:MM (24-hour, 00:00 to 23:59; one-digit hours
// accepted) into minutes after midnight.
func ClockMinutes(b []byte) (int, error) {
	i := indexByte(b, ':')
	if i < 1 || i > 2 || len(b)-i-1 != 2 {
		return 0, ErrTime
	}
	h, ok1 := digits(b[:i])
	m, ok2 := digits(b[i+1:])
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, ErrTime
	}
	return h*60 + m, nil
}

// EpochMillis parses epoch milliseconds between 1970 and 9999.
func EpochMillis(b []byte) (int64, error) {
	v, err := Int(b)
	if err != nil {
		if f, ferr := Float(b); ferr == nil && f == float64(int64(f)) {
			v, err = int64(f), nil
		}
	}
	if err != nil || v < 0 || v > 253402300799999 {
		return 0, ErrTS
	}
	return v, nil
}

var tsLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02 15:04:05.999999999-0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
}

// Timestamp parses ISO-8601 / RFC 3339 forms (a missing zone means UTC, a
// date alone means its midnight) and returns epoch milliseconds.
func Timestamp(s string) (int64, error) {
	for _, l := range tsLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UnixMilli(), nil
		}
	}
	return 0, ErrTS
}

// MaxChars checks a value's length in characters.
func MaxChars(b []byte, max int) error {
	if len(b) <= max {
		return nil
	}
	if n := utf8.RuneCount(b); n > max {
		return errors.New("longer than " + strconv.Itoa(max) + " characters")
	}
	return nil
}

func digits(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
