package upload

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/pipeline"
)

// Content is a content file of the upload (a recording, a TXT body) and
// what the rows made of it.
type Content struct {
	File inputs.File
	Name string // name within the upload (see Name)
	// Written and Rejected count the written and the rejected rows that
	// referenced the file.
	Written, Rejected int64

	index int // position in Contents
	ref   *pipeline.FileRef
}

// Index is c's position in the upload's Contents.
func (c *Content) Index() int { return c.index }

// Contents lists the content files in input order.
func (u *Upload) Contents() []*Content { return u.content }

// Lookup finds a content file by the base name a row gives.
func (u *Upload) Lookup(base []byte) (*Content, bool) {
	c, ok := u.byBase[string(base)]
	return c, ok
}

// Ref notes that the row being decoded references c. Rows counts the
// reference as written or rejected once it knows the row's fate; a row
// naming a file twice counts once.
func (u *Upload) Ref(c *Content) {
	for _, p := range u.pending {
		if p == c {
			return
		}
	}
	u.pending = append(u.pending, c)
}

// settle counts the pending references of a row.
func (u *Upload) settle(written bool) {
	for _, c := range u.pending {
		if written {
			c.Written++
		} else {
			c.Rejected++
		}
	}
	u.pending = u.pending[:0]
}

// Store copies c next to the tables under its base name, once; later calls
// return the first copy's reference.
func (u *Upload) Store(ctx context.Context, c *Content) (pipeline.FileRef, error) {
	if c.ref != nil {
		return *c.ref, nil
	}
	if u.store == nil {
		return pipeline.FileRef{}, errors.New("no file store to copy content files to (the runner hands one to a pipeline.FileStoreUser)")
	}
	rc, err := c.File.Open()
	if err != nil {
		return pipeline.FileRef{}, fmt.Errorf("open %s: %w", c.File.Name, err)
	}
	defer rc.Close()
	ref, err := u.store.PutFile(ctx, c.File.Base, rc)
	if err != nil {
		return pipeline.FileRef{}, fmt.Errorf("store %s: %w", c.File.Name, err)
	}
	c.ref = &ref
	return ref, nil
}

// Stored returns where Store copied c, if it did.
func (c *Content) Stored() (pipeline.FileRef, bool) {
	if c.ref == nil {
		return pipeline.FileRef{}, false
	}
	return *c.ref, true
}

// Digest returns c's size and sha256: from the stored copy, or by reading
// the file.
func (c *Content) Digest() (int64, string, error) {
	if c.ref != nil {
		return c.ref.Bytes, c.ref.SHA256, nil
	}
	rc, err := c.File.Open()
	if err != nil {
		return 0, "", fmt.Errorf("open %s: %w", c.File.Name, err)
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return 0, "", fmt.Errorf("read %s: %w", c.File.Name, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}
