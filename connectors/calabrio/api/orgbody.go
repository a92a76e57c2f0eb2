package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
)

// orgBody is the body of one Export API request (GET
// /api/rest/fileexport/<type>), read once from start to end by a decoder.
// When the body breaks off part way (httpx.Stream leaves that to the
// caller) it asks for the export again, spending a retry of the run's
// budget, skips the bytes it already delivered after checking they are the
// same, and goes on: the decoder never sees the break, and nothing is
// spooled.
type orgBody struct {
	ctx  context.Context
	k    *conn
	name string

	rc io.ReadCloser
	h  hash.Hash // sha256 of the bytes delivered
	n  int64     // bytes delivered
}

// get sends the request.
func (b *orgBody) get() error {
	resp, err := b.k.stream(b.ctx, http.MethodGet, FileExportPath+b.name, nil, "text/csv, */*")
	if err != nil {
		return fmt.Errorf("export %s: %w", b.name, err)
	}
	b.rc = resp.Body
	return nil
}

func (b *orgBody) Read(p []byte) (int, error) {
	for {
		n, err := b.rc.Read(p)
		if n > 0 {
			b.h.Write(p[:n])
			b.n += int64(n)
			if b.k.bytes != nil {
				b.k.bytes.Add(int64(n))
			}
		}
		if err == nil || err == io.EOF || b.ctx.Err() != nil {
			return n, err
		}
		if rerr := b.resume(err); rerr != nil {
			return n, rerr
		}
		if n > 0 {
			return n, nil
		}
	}
}

// resume asks for the export again after its body broke off with cause,
// and skips the bytes already delivered.
func (b *orgBody) resume(cause error) error {
	broken := fmt.Errorf("export %s: %w: %v", b.name, errBodyBroken, cause)
	for {
		if err := b.k.budget.Spend(); err != nil {
			return fmt.Errorf("%w: %w", err, broken)
		}
		b.rc.Close()
		if err := b.get(); err != nil {
			return err
		}
		h := sha256.New()
		_, err := io.CopyN(h, b.rc, b.n)
		switch {
		case err == nil && bytes.Equal(h.Sum(nil), b.h.Sum(nil)):
			return nil
		case err == nil || errors.Is(err, io.EOF):
			return fmt.Errorf("export %s: the export changed between the attempts of a broken download", b.name)
		case b.ctx.Err() != nil:
			return b.ctx.Err()
		}
		broken = fmt.Errorf("export %s: %w: %v", b.name, errBodyBroken, err)
	}
}

func (b *orgBody) close() {
	if b.rc != nil {
		b.rc.Close()
		b.rc = nil
	}
}
