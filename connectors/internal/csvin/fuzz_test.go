package csvin

import "testing"

// FuzzReader checks, for any input, that the Reader does not panic, that
// every buffer size and read pattern gives the same results, that Raw and
// Line account for every byte, and that valid UTF-8 gives the records and
// bad records encoding/csv gives. A second run with a small MaxRecordBytes
// covers RecordTooLong.
func FuzzReader(f *testing.F) {
	for _, tt := range nextTests {
		f.Add([]byte(tt.in), uint8(tt.opts.MaxRecordBytes))
	}
	f.Add([]byte("\xFF\xFEa\x00"), uint8(0))
	f.Add([]byte("\"a\r\n\"\"b\",c\r\n\r\n\xEF\xBB\xBFd"), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, maxRecord uint8) {
		checkInput(t, data, Options{})
		if maxRecord > 0 {
			checkInput(t, data, Options{MaxRecordBytes: int(maxRecord)})
		}
	})
}
