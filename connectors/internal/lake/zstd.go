package lake

import (
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// The Parquet writer compresses each page with one zstd call. Arrow's codec
// takes its encoders from a sync.Pool, so after every garbage collection it
// builds new ones, each with a history buffer sized for an 8 MiB window (16
// MiB). Pages are about a MiB (the data and dictionary page size), so a
// window of 1 MiB finds the same matches; the encoders here keep that
// window and stay between collections.
const (
	zstdWindow   = 1 << 20
	zstdIdleKept = 4 // encoders kept per level; more only while more pages are compressed at once
)

func init() {
	arrow, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		return // no zstd codec to stand in for
	}
	compress.RegisterCodec(compress.Codecs.Zstd, &zstdCodec{Codec: arrow, idle: map[zstd.EncoderLevel][]*zstd.Encoder{}})
}

// zstdCodec encodes with kept encoders and leaves decoding, bounds and
// streams to Arrow's codec.
type zstdCodec struct {
	compress.Codec

	mu   sync.Mutex
	idle map[zstd.EncoderLevel][]*zstd.Encoder
}

func (c *zstdCodec) Encode(dst, src []byte) []byte {
	return c.EncodeLevel(dst, src, compress.DefaultCompressionLevel)
}

func (c *zstdCodec) EncodeLevel(dst, src []byte, level int) []byte {
	l := zstd.SpeedDefault
	if level != compress.DefaultCompressionLevel {
		l = zstd.EncoderLevelFromZstd(level)
	}
	enc := c.get(l)
	out := enc.EncodeAll(src, dst[:0])
	c.put(l, enc)
	return out
}

func (c *zstdCodec) get(l zstd.EncoderLevel) *zstd.Encoder {
	c.mu.Lock()
	if n := len(c.idle[l]); n > 0 {
		enc := c.idle[l][n-1]
		c.idle[l] = c.idle[l][:n-1]
		c.mu.Unlock()
		return enc
	}
	c.mu.Unlock()
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(l), zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(zstdWindow),
		zstd.WithZeroFrames(true), zstd.WithAllLitEntropyCompression(true))
	if err != nil {
		panic(err) // the options are constant and valid
	}
	return enc
}

func (c *zstdCodec) put(l zstd.EncoderLevel, enc *zstd.Encoder) {
	c.mu.Lock()
	if len(c.idle[l]) < zstdIdleKept {
		c.idle[l] = append(c.idle[l], enc)
	}
	c.mu.Unlock()
}

// DecodeWithError decodes as Arrow's codec does, reporting bad input.
func (c *zstdCodec) DecodeWithError(dst, src []byte) ([]byte, error) {
	return compress.Decode(c.Codec, dst, src)
}

// NewReader, NewWriter and NewWriterLevel are Arrow's streams.
func (c *zstdCodec) NewReader(r io.Reader) io.ReadCloser {
	return c.Codec.(compress.StreamingCodec).NewReader(r)
}

func (c *zstdCodec) NewWriter(w io.Writer) io.WriteCloser {
	return c.Codec.(compress.StreamingCodec).NewWriter(w)
}

func (c *zstdCodec) NewWriterLevel(w io.Writer, level int) (io.WriteCloser, error) {
	return c.Codec.(compress.StreamingCodec).NewWriterLevel(w, level)
}
