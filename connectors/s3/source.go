package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ccetl/ccetl/connectors/internal/lake"
)

// ErrChanged is matched by the error of a read whose object was replaced
// after it was listed (its ETag no longer matches).
var ErrChanged = errors.New("object changed since it was listed")

// Glob returns the objects under the store's prefix whose relative key
// matches pattern, in key order. Segments match like path.Match and "**"
// matches any number of segments: "exports/*.csv", "**/*.zip".
func (s *Store) Glob(ctx context.Context, pattern string) ([]lake.ObjectInfo, error) {
	if err := checkGlob(pattern); err != nil {
		return nil, fmt.Errorf("s3 glob %q: %w", pattern, err)
	}
	var out []lake.ObjectInfo
	err := s.list(ctx, globPrefix(pattern), func(rel string, o types.Object) {
		if ok, _ := matchGlob(pattern, rel); ok { // checkGlob leaves no error to report
			out = append(out, objectInfo(rel, o))
		}
	})
	return out, err
}

// OpenObject streams an object. With etag set, the read fails with ErrChanged
// if the object was replaced since it was listed, so what is read is what
// will be recorded as processed. A missing object gives lake.ErrNotExist.
func (s *Store) OpenObject(ctx context.Context, key, etag string) (io.ReadCloser, error) {
	out, err := s.get(ctx, key, etag, "")
	if err != nil {
		return nil, err
	}
	return out.Body, nil
}

func (s *Store) get(ctx context.Context, key, etag, byteRange string) (*s3.GetObjectOutput, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(s.name), Key: aws.String(s.key(key))}
	if etag != "" {
		in.IfMatch = aws.String(`"` + etag + `"`)
	}
	if byteRange != "" {
		in.Range = aws.String(byteRange)
	}
	out, err := s.client.GetObject(ctx, in)
	switch {
	case err == nil:
		return out, nil
	case isNotFound(err):
		return nil, fmt.Errorf("s3 get %s: %w", s.url(key), lake.ErrNotExist)
	case isPrecondition(err):
		return nil, fmt.Errorf("s3 get %s: %w", s.url(key), ErrChanged)
	default:
		return nil, fmt.Errorf("s3 get %s: %w", s.url(key), err)
	}
}

// readBlock is how much one ranged GET of a ReaderAt fetches; a ReaderAt
// keeps the last two blocks, so archive/zip's small reads cost one request
// per block.
const readBlock = 4 << 20

// ReaderAt reads an object with ranged GETs, for archive/zip, which needs
// random access. Every read is pinned to the listed ETag. It is safe for
// concurrent use.
type ReaderAt struct {
	s    *Store
	ctx  context.Context
	obj  lake.ObjectInfo
	mu   sync.Mutex
	hold [2]block // most recent first
	gets int      // ranged GETs made (tests read it)
}

type block struct {
	off  int64
	data []byte
}

// ReaderAt returns a random-access reader over obj (as listed by Glob: key,
// size and ETag). ctx bounds every read. Objects larger than the config's
// ZipMaxBytes are refused.
func (s *Store) ReaderAt(ctx context.Context, obj lake.ObjectInfo) (*ReaderAt, error) {
	if obj.Size > s.cfg.ZipMaxBytes {
		return nil, fmt.Errorf("s3 open %s: %d bytes is over zip_max_bytes (%d); raise it to read this archive",
			s.url(obj.Key), obj.Size, s.cfg.ZipMaxBytes)
	}
	return &ReaderAt{s: s, ctx: ctx, obj: obj}, nil
}

// Size is the object's size, for zip.NewReader.
func (r *ReaderAt) Size() int64 { return r.obj.Size }

// ReadAt reads len(p) bytes at off. Like every io.ReaderAt it returns an
// error (io.EOF at the end) whenever it reads fewer.
func (r *ReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("s3 read %s: negative offset", r.s.url(r.obj.Key))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for n < len(p) && off < r.obj.Size {
		b, err := r.block(off - off%readBlock)
		if err != nil {
			return n, err
		}
		c := copy(p[n:], b.data[off-b.off:])
		n, off = n+c, off+int64(c)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// block returns the block starting at off, fetching it if it is not held.
func (r *ReaderAt) block(off int64) (block, error) {
	for i, b := range r.hold {
		if b.data != nil && b.off == off {
			r.hold[0], r.hold[i] = r.hold[i], r.hold[0]
			return r.hold[0], nil
		}
	}
	end := min(off+readBlock, r.obj.Size) - 1
	out, err := r.s.get(r.ctx, r.obj.Key, r.obj.ETag, fmt.Sprintf("bytes=%d-%d", off, end))
	if err != nil {
		return block{}, err
	}
	defer out.Body.Close()
	r.gets++
	buf := r.hold[1].data[:0] // reuse the older block's memory
	if cap(buf) < int(end-off+1) {
		buf = make([]byte, end-off+1)
	}
	buf = buf[:end-off+1]
	if _, err := io.ReadFull(out.Body, buf); err != nil {
		r.hold[1] = block{} // its memory held the partial read
		return block{}, fmt.Errorf("s3 read %s at %d: %w", r.s.url(r.obj.Key), off, err)
	}
	r.hold[1] = r.hold[0]
	r.hold[0] = block{off: off, data: buf}
	return r.hold[0], nil
}
