package csvin_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ccetl/ccetl/connectors/internal/csvin"
)

// A decoder reads the header, then checks each record's width against it
// and sends bad records to its rejects output with their line and raw bytes.
func Example() {
	in := "id,name,note\r\n1,Anna,\"says \"\"hi\"\"\"\r\n2,Ben\r\n3,\"Cem\"x,\r\n4,Dana,\"two\r\nlines\"\r\n"
	r := csvin.NewReader(strings.NewReader(in), csvin.Options{})
	header, err := r.Next()
	if err != nil {
		panic(err)
	}
	width := len(header.Fields)
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		var bad *csvin.RecordError
		switch {
		case errors.As(err, &bad):
			fmt.Printf("reject line %d: %v (raw %q)\n", bad.Line, bad.Kind, bad.Raw)
			continue
		case err != nil:
			panic(err) // I/O errors are fatal
		}
		if err := rec.CheckFields(width); err != nil {
			fmt.Printf("reject: %v\n", err)
			continue
		}
		fmt.Printf("line %d: %q\n", rec.Line, rec.Fields)
	}
	fmt.Println("bytes read:", r.BytesRead())
	// Output:
	// line 2: ["1" "Anna" "says \"hi\""]
	// reject: line 3: wrong number of fields: got 2, want 3
	// reject line 4: extraneous text after closing " of quoted field (raw "3,\"Cem\"x,")
	// line 5: ["4" "Dana" "two\r\nlines"]
	// bytes read: 75
}
