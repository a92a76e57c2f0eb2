package httpx

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// timeoutRT bounds one attempt. In whole mode (Do) the timeout runs until
// the body is closed. In idle mode (Stream) it runs until the headers
// arrive, then restarts on every read, so a long download is fine as long
// as bytes keep coming.
type timeoutRT struct {
	next http.RoundTripper
	d    time.Duration
	idle bool
}

func (t *timeoutRT) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	timer := time.AfterFunc(t.d, func() { cancel(ErrAttemptTimeout) })
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		timer.Stop()
		err = t.timedOut(ctx, err)
		cancel(nil)
		return nil, err
	}
	if t.idle {
		timer.Reset(t.d)
	}
	resp.Body = &timedBody{rc: resp.Body, ctx: ctx, cancel: cancel, timer: timer, t: t}
	return resp, nil
}

// timedOut replaces the error of an attempt our timer cancelled.
func (t *timeoutRT) timedOut(ctx context.Context, err error) error {
	if context.Cause(ctx) == ErrAttemptTimeout {
		return fmt.Errorf("%w after %v", ErrAttemptTimeout, t.d)
	}
	return err
}

type timedBody struct {
	rc     io.ReadCloser
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer
	t      *timeoutRT
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if b.t.idle && err == nil {
		b.timer.Reset(b.t.d)
	}
	if err != nil && err != io.EOF {
		err = b.t.timedOut(b.ctx, err)
	}
	return n, err
}

func (b *timedBody) Close() error {
	b.timer.Stop()
	err := b.rc.Close()
	b.cancel(nil)
	return err
}
