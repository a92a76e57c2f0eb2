package csvin

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// result is one value returned by Next, copied so that it outlives the call.
type result struct {
	Fields []string
	Line   int64
	Raw    string
	Err    *RecordError // Raw cleared; compare it through result.Raw
}

func rec(line int64, raw string, fields ...string) result {
	return result{Fields: fields, Line: line, Raw: raw}
}

func bad(kind Kind, line, errLine int64, col, field int, raw string) result {
	return result{Line: line, Raw: raw, Err: &RecordError{Kind: kind, Line: line, ErrLine: errLine, Column: col, Field: field}}
}

// readAll reads in until a fatal error or io.EOF, which is not returned. It
// checks what every call must hold: Raw equals RecordError.Raw, and
// BytesRead is the input's size at io.EOF.
func readAll(t testing.TB, in io.Reader, size int, opts Options) ([]result, error) {
	t.Helper()
	r := NewReader(in, opts)
	var out []result
	for {
		got, err := r.Next()
		if err == io.EOF {
			if size >= 0 && r.BytesRead() != int64(size) {
				t.Errorf("BytesRead = %d at EOF, want %d", r.BytesRead(), size)
			}
			return out, nil
		}
		res := result{Line: got.Line, Raw: string(got.Raw)}
		var re *RecordError
		switch {
		case errors.As(err, &re):
			if string(re.Raw) != res.Raw || re.Line != got.Line || got.Fields != nil {
				t.Errorf("record error %v: Record{Line: %d, Raw: %q, %d fields}, error Line %d Raw %q",
					err, got.Line, got.Raw, len(got.Fields), re.Line, re.Raw)
			}
			c := *re
			c.Raw = nil
			res.Err = &c
		case err != nil:
			return out, err
		default:
			res.Fields = make([]string, len(got.Fields))
			for i, f := range got.Fields {
				res.Fields[i] = string(f)
			}
		}
		out = append(out, res)
	}
}

// readers feeds the same input in ways that move buffer boundaries around.
var readers = []struct {
	name string
	opts func(Options) Options
	wrap func(io.Reader) io.Reader
}{
	{"default", func(o Options) Options { return o }, func(r io.Reader) io.Reader { return r }},
	{"buffer1", func(o Options) Options { o.BufferSize = 1; return o }, func(r io.Reader) io.Reader { return r }},
	{"buffer7/onebyte", func(o Options) Options { o.BufferSize = 7; return o }, iotest.OneByteReader},
	{"halfreader", func(o Options) Options { o.BufferSize = 64; return o }, iotest.HalfReader},
	{"dataerr", func(o Options) Options { o.BufferSize = 4096; return o }, iotest.DataErrReader},
}

// nextTests are the behaviour cases; FuzzReader seeds its corpus with them.
var nextTests = []struct {
	name string
	in   string
	opts Options
	want []result
}{
	{"simple", "a,b,c\n1,2,3\n", Options{}, []result{rec(1, "a,b,c", "a", "b", "c"), rec(2, "1,2,3", "1", "2", "3")}},
	{"no final newline", "a,b\n1,2", Options{}, []result{rec(1, "a,b", "a", "b"), rec(2, "1,2", "1", "2")}},
	{"crlf", "a,b\r\n1,2\r\n", Options{}, []result{rec(1, "a,b", "a", "b"), rec(2, "1,2", "1", "2")}},
	{"mixed endings", "a\r\nb\nc\r\nd", Options{}, []result{rec(1, "a", "a"), rec(2, "b", "b"), rec(3, "c", "c"), rec(4, "d", "d")}},
	{"blank lines", "\n\na\n\r\n\nb\n\n", Options{}, []result{rec(3, "a", "a"), rec(6, "b", "b")}},
	{"only blank", "\n\r\n\r", Options{}, nil},
	{"empty", "", Options{}, nil},
	{"cr at eof", "a,b\r", Options{}, []result{rec(1, "a,b", "a", "b")}},
	{"cr line at eof", "a\n\r", Options{}, []result{rec(1, "a", "a")}},
	{"space line", " \n", Options{}, []result{rec(1, " ", " ")}},
	{"lone cr unquoted", "a\rb,c\n\rd\n", Options{}, []result{rec(1, "a\rb,c", "a\rb", "c"), rec(2, "\rd", "\rd")}},
	{"double cr", "a\r\r\n", Options{}, []result{rec(1, "a\r", "a\r")}},
	{"empty fields", ",,\n\"\",\"\"\na,\n", Options{}, []result{rec(1, ",,", "", "", ""), rec(2, `"",""`, "", ""), rec(3, "a,", "a", "")}},
	{"utf8 bom", "\xEF\xBB\xBFa,b\n1,2\n", Options{}, []result{rec(1, "a,b", "a", "b"), rec(2, "1,2", "1", "2")}},
	{"utf8 bom quoted", "\xEF\xBB\xBF\"a\",b\n", Options{}, []result{rec(1, `"a",b`, "a", "b")}},
	{"bom only", "\xEF\xBB\xBF", Options{}, nil},
	{"bom later is data", "a\n\xEF\xBB\xBFb\n", Options{}, []result{rec(1, "a", "a"), rec(2, "\xEF\xBB\xBFb", "\xEF\xBB\xBFb")}},
	{"tab", "a\tb,c\n\"x\ty\"\tz\n", Options{Comma: '\t'}, []result{rec(1, "a\tb,c", "a", "b,c"), rec(2, "\"x\ty\"\tz", "x\ty", "z")}},
	{"unicode", "ä,ö\n\"日本\",語\n", Options{}, []result{rec(1, "ä,ö", "ä", "ö"), rec(2, `"日本",語`, "日本", "語")}},
	{"quoted comma", "\"a,b\",c\n", Options{}, []result{rec(1, `"a,b",c`, "a,b", "c")}},
	{"doubled quotes", "\"a\"\"b\",\"\"\"\"\n", Options{}, []result{rec(1, `"a""b",""""`, `a"b`, `"`)}},
	{"quoted last crlf", "a,\"b\"\r\nc\r\n", Options{}, []result{rec(1, `a,"b"`, "a", "b"), rec(2, "c", "c")}},
	{"quoted cr at eof", "\"a\"\r", Options{}, []result{rec(1, `"a"`, "a")}},
	{"quoted newline", "\"a\nb\",c\nd,e\n", Options{}, []result{rec(1, "\"a\nb\",c", "a\nb", "c"), rec(3, "d,e", "d", "e")}},
	{"quoted crlf kept", "\"a\r\nb\"\r\nc\r\n", Options{}, []result{rec(1, "\"a\r\nb\"", "a\r\nb"), rec(3, "c", "c")}},
	{"quoted lone cr", "\"a\rb\"\n", Options{}, []result{rec(1, "\"a\rb\"", "a\rb")}},
	{"quoted blank lines", "\"\n\n\"\"\n\",x\ny\n", Options{}, []result{rec(1, "\"\n\n\"\"\n\",x", "\n\n\"\n", "x"), rec(5, "y", "y")}},
	{"quoted escapes over lines", "a,\"x\"\"\ny\"\"z\"\"\",b\n", Options{}, []result{rec(1, "a,\"x\"\"\ny\"\"z\"\"\",b", "a", "x\"\ny\"z\"", "b")}},
	{"quoted no final newline", "\"a\nb\"", Options{}, []result{rec(1, "\"a\nb\"", "a\nb")}},

	{"invalid utf8", "a,b\xffc\nd\n", Options{}, []result{bad(InvalidUTF8, 1, 1, 4, 1, "a,b\xffc"), rec(2, "d", "d")}},
	{"invalid utf8 truncated", "é,\xc3\n", Options{}, []result{bad(InvalidUTF8, 1, 1, 4, 1, "é,\xc3")}},
	{"invalid utf8 surrogate", "\xed\xa0\x80\n", Options{}, []result{bad(InvalidUTF8, 1, 1, 1, 0, "\xed\xa0\x80")}},
	{"invalid utf8 quoted", "x\n\"a,\nb\xff\",c\nd\n", Options{},
		[]result{rec(1, "x", "x"), bad(InvalidUTF8, 2, 3, 2, 0, "\"a,\nb\xff\",c"), rec(4, "d", "d")}},
	{"invalid utf8 after quoted comma", "\"a,b\",\xfe\n", Options{}, []result{bad(InvalidUTF8, 1, 1, 7, 1, "\"a,b\",\xfe")}},
	{"bare quote", "a,b\"c,d\ne\n", Options{}, []result{bad(BareQuote, 1, 1, 4, 1, `a,b"c,d`), rec(2, "e", "e")}},
	{"bare quote after quoted", "\"a\nb\",c\"\ne\n", Options{}, []result{bad(BareQuote, 1, 2, 5, 1, "\"a\nb\",c\""), rec(3, "e", "e")}},
	{"bare quote crlf", "a\"\r\ne\r\n", Options{}, []result{bad(BareQuote, 1, 1, 2, 0, `a"`), rec(2, "e", "e")}},
	{"text after quote", "\"a\"b,c\ne\n", Options{}, []result{bad(TextAfterQuote, 1, 1, 4, 0, `"a"b,c`), rec(2, "e", "e")}},
	{"text after quote cr", "x,\"a\"\rb\ne\n", Options{}, []result{bad(TextAfterQuote, 1, 1, 6, 1, "x,\"a\"\rb"), rec(2, "e", "e")}},
	{"text after quote later line", "\"a\nb\"x,c\ne\n", Options{}, []result{bad(TextAfterQuote, 1, 2, 3, 0, "\"a\nb\"x,c"), rec(3, "e", "e")}},
	{"text after quote after escape", "\"a\"\"\"x\ne\n", Options{}, []result{bad(TextAfterQuote, 1, 1, 6, 0, `"a"""x`), rec(2, "e", "e")}},
	{"unterminated", "a\nb,\"c,d\ne\n", Options{}, []result{rec(1, "a", "a"), bad(UnterminatedQuote, 2, 2, 3, 1, "b,\"c,d\ne")}},
	{"unterminated no newline", "\"abc", Options{}, []result{bad(UnterminatedQuote, 1, 1, 1, 0, `"abc`)}},
	{"unterminated crlf", "x\r\n\"a\r\nb\r\n", Options{}, []result{rec(1, "x", "x"), bad(UnterminatedQuote, 2, 2, 1, 0, "\"a\r\nb")}},
	{"unterminated escape", "\"\"\"", Options{}, []result{bad(UnterminatedQuote, 1, 1, 1, 0, `"""`)}},

	{"max exact", "abcd\r\nabcd\nabcd", Options{MaxRecordBytes: 4}, []result{rec(1, "abcd", "abcd"), rec(2, "abcd", "abcd"), rec(3, "abcd", "abcd")}},
	{"too long", "abcdef,g\r\nab\nabcdefgh\nxy", Options{MaxRecordBytes: 4},
		[]result{bad(RecordTooLong, 1, 1, 5, -1, "abcd"), rec(2, "ab", "ab"), bad(RecordTooLong, 3, 3, 5, -1, "abcd"), rec(4, "xy", "xy")}},
	{"too long at eof", "ab\nabcdefgh", Options{MaxRecordBytes: 4}, []result{rec(1, "ab", "ab"), bad(RecordTooLong, 2, 2, 5, -1, "abcd")}},
	{"too long with cr at eof", "abcde\r", Options{MaxRecordBytes: 4}, []result{bad(RecordTooLong, 1, 1, 5, -1, "abcd")}},
	{"too long quoted", "\"ab\ncdefghij\nk\"\nxy\n", Options{MaxRecordBytes: 6},
		[]result{bad(RecordTooLong, 1, 2, 3, -1, "\"ab\ncd"), bad(BareQuote, 3, 3, 2, 0, `k"`), rec(4, "xy", "xy")}},
	{"too long crlf inside quotes", "\"abc\r\nd\"\n", Options{MaxRecordBytes: 5}, []result{bad(RecordTooLong, 1, 1, 6, -1, "\"abc\r")}},
}

func TestNext(t *testing.T) {
	for _, tt := range nextTests {
		for _, rd := range readers {
			t.Run(tt.name+"/"+rd.name, func(t *testing.T) {
				got, err := readAll(t, rd.wrap(strings.NewReader(tt.in)), len(tt.in), rd.opts(tt.opts))
				if err != nil {
					t.Fatalf("fatal error %v", err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("input %q\n got %s\nwant %s", tt.in, show(got), show(tt.want))
				}
			})
		}
	}
}

func show(rs []result) string {
	var b strings.Builder
	for _, r := range rs {
		if r.Err != nil {
			fmt.Fprintf(&b, "\n\t%+v raw=%q", *r.Err, r.Raw)
			continue
		}
		fmt.Fprintf(&b, "\n\tline %d raw=%q fields=%q", r.Line, r.Raw, r.Fields)
	}
	return b.String()
}
