// Package calpush is what the Calabrio push targets share: sending one
// batch as a multipart upload and acknowledging it to the journal.
package calpush

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"time"

	calapi "github.com/ccetl/ccetl/connectors/calabrio/api"
	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/connectors/internal/push"
	"github.com/ccetl/ccetl/pipeline"
)

// Upload is one batch's upload.
type Upload struct {
	Conn   *calapi.Conn
	Path   string
	Query  url.Values
	Entity string
	Batch  []pipeline.Change
	Parts  []push.Part
	// Repeatable says a retry cannot duplicate anything (an upsert): the
	// client retries as it retries reads. Otherwise the upload is sent
	// once, again only when the connection was refused (it never reached
	// the tenant).
	Repeatable bool
	// Accepted, when set, runs once the tenant accepted the upload (to read
	// back what it did), before Outcome.
	Accepted func(context.Context) error
	// Outcome tells what became of each change once the tenant accepted
	// the upload; nil makes every change "sent".
	Outcome func(pipeline.Change) pipeline.Outcome
	// What names the batch in the request column, e.g. "12 rows".
	What string
}

// Send begins the batch in the journal, uploads it and acknowledges it. A
// 4xx refusal (other than 429) fails every change with the tenant's
// message: nothing of the upload was imported. Any other failure stops the
// push, the batch left pending.
func Send(ctx context.Context, u Upload, j pipeline.Journal) error {
	if err := j.Begin(ctx, u.Entity, u.Batch); err != nil {
		return err
	}
	body, ctype, err := push.Multipart(u.Parts...)
	if err != nil {
		return err
	}
	res := pipeline.BatchResult{Entity: u.Entity, Request: fmt.Sprintf("POST %s (%s)", u.Path, u.What)}
	resp, err := send(ctx, u, body, ctype)
	var se *httpx.StatusError
	switch {
	case errors.As(err, &se) && se.StatusCode >= 400 && se.StatusCode < 500 && se.StatusCode != http.StatusTooManyRequests:
		res.RequestID = se.RequestID
		for _, c := range u.Batch {
			res.Outcomes = append(res.Outcomes, pipeline.Outcome{Seq: c.Seq, Status: pipeline.StatusFailed,
				Code: strconv.Itoa(se.StatusCode), Message: se.Message})
		}
		return j.Ack(ctx, res)
	case err != nil && u.Repeatable:
		return fmt.Errorf("upload %s: %w", u.Entity, err)
	case err != nil:
		return fmt.Errorf("upload %s (the batch may or may not be imported; it stays pending): %w", u.Entity, err)
	}
	res.Response = string(resp.Body)
	if u.Accepted != nil {
		if err := u.Accepted(ctx); err != nil {
			return fmt.Errorf("upload %s: accepted, but %w", u.Entity, err)
		}
	}
	for _, c := range u.Batch {
		o := pipeline.Outcome{Seq: c.Seq, Status: pipeline.StatusSent}
		if u.Outcome != nil {
			o = u.Outcome(c)
		}
		res.Outcomes = append(res.Outcomes, o)
	}
	return j.Ack(ctx, res)
}

func send(ctx context.Context, u Upload, body []byte, ctype string) (*httpx.Response, error) {
	if u.Repeatable {
		return u.Conn.Do(ctx, http.MethodPost, u.Path, u.Query, body, ctype, "application/json")
	}
	for attempt := 1; ; attempt++ {
		resp, err := u.Conn.Do(httpx.WithoutRetry(ctx), http.MethodPost, u.Path, u.Query, body, ctype, "application/json")
		if err == nil || !errors.Is(err, syscall.ECONNREFUSED) || attempt == 3 {
			return resp, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(attempt) * time.Second):
		}
	}
}
