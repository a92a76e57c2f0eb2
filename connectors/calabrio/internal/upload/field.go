package upload

import "github.com/ccetl/ccetl/connectors/internal/tabular"

// Str is a decoded string value and the column or key it came from.
type Str struct {
	Col string
	V   []byte
	Set bool
}

// Put sets the value; an empty one counts as absent ("If a value is not
// known ... use an empty string").
func (s *Str) Put(col string, v []byte) { *s = Str{Col: col, V: v, Set: len(v) > 0} }

// PutJSON reads a JSON string (a number taken as written when numbers is
// set) into s, or keeps the problem in errs.
func (s *Str) PutJSON(errs *Problem, key string, v []byte, numbers bool) {
	t, ok, err := Text(v, numbers)
	switch {
	case err != nil:
		errs.Fail(key, err)
	case ok:
		s.Put(key, []byte(t))
	}
}

// Num is a decoded whole number and the column or key it came from.
type Num struct {
	Col string
	V   int64
	Set bool
}

// PutCSV parses a non-empty CSV cell into n, or keeps the problem in errs.
func (n *Num) PutCSV(errs *Problem, col string, v []byte, parse func([]byte) (int64, error)) {
	if len(v) == 0 {
		return
	}
	x, err := parse(v)
	if err != nil {
		errs.Fail(col, err)
		return
	}
	*n = Num{Col: col, V: x, Set: true}
}

// PutJSON reads a JSON value with read (Int, Millis) into n, or keeps the
// problem in errs.
func (n *Num) PutJSON(errs *Problem, key string, v []byte, read func([]byte) (int64, bool, error)) {
	x, ok, err := read(v)
	switch {
	case err != nil:
		errs.Fail(key, err)
	case ok:
		*n = Num{Col: key, V: x, Set: true}
	}
}

// Problem keeps the first problem of a row, so a decoder can go on reading
// the row (and note the files it references) before rejecting it.
type Problem struct{ Err error }

// Fail records a problem of a column unless one is recorded already.
func (p *Problem) Fail(col string, err error) {
	if p.Err == nil {
		p.Err = tabular.Errf(col, err)
	}
}
