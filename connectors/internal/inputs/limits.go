package inputs

import (
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zip"

	"github.com/ccetl/ccetl/pipeline"
)

// Limits bound what ZIP archives an input set accepts, so that a ZIP bomb
// is refused from its central directory, before anything is decompressed
// or written, with an error naming the archive, the member and the option.
//
// Calabrio documents no byte or file-count limit for its uploads
// (/api/upload/contacts, /api/upload/textcontacts, SPEC 6.6-6.8), so the
// byte and count defaults are sized on the data; the nesting default is
// what the uploads document: a ZIP compresses the upload's files, and "ZIP
// files can only be used to compress the files" (SPEC 6.8), so a ZIP
// inside a ZIP is not an upload the API takes.
//
// The ratio default: deflate cannot exceed about 1030:1, which is what
// zeros and digital silence reach. Measured with deflate at its default
// level, speech recordings come to 1.4-3:1 (8 kHz PCM or µ-law, mono or
// with one silent channel), MP3/Opus/WebM 1:1, text bodies and metadata
// CSV 2.5-5:1; a ten-minute call that is 98% digital silence reaches
// 55-86:1, one that is 99.5% silence about 200:1. 200:1 passes every
// recording with sound in it and refuses a bomb, whose size comes from
// its ratio: at 200:1 an archive expands to at most 200 times its size.
type Limits struct {
	// MaxMemberBytes bounds one member's uncompressed size.
	MaxMemberBytes int64
	// MaxTotalBytes bounds the uncompressed size of every member of every
	// archive of the input set (one upload).
	MaxTotalBytes int64
	// MaxRatio bounds a member's uncompressed/compressed ratio, and an
	// archive's: all its members uncompressed over the archive's real
	// size, which no forged header changes. Members and archives under
	// RatioFloor bytes uncompressed are not judged.
	MaxRatio float64
	// MaxEntries bounds the members of all archives of the set.
	MaxEntries int
	// MaxDepth bounds how deep ZIPs nest: 1 expands the ZIPs of the upload
	// and refuses a ZIP inside one; 2 also expands ZIPs inside them, and so
	// on. Expanded inner archives are bound like any other.
	MaxDepth int
}

// Defaults of Limits. DefaultMaxMemberBytes is in inputs.go.
const (
	// DefaultMaxTotalBytes: ten recordings of the largest size.
	DefaultMaxTotalBytes = 20 << 30
	// DefaultMaxRatio: see Limits.
	DefaultMaxRatio = 200
	// DefaultMaxEntries: a large day of contacts with their recordings.
	DefaultMaxEntries = 100_000
	// DefaultMaxDepth: the upload's ZIPs, not ZIPs inside them.
	DefaultMaxDepth = 1
	// RatioFloor is the size from which a ratio is judged: tiny files
	// compress oddly and cannot make a bomb.
	RatioFloor = 1 << 20
)

// DefaultLimits are the limits of every kind that reads ZIPs.
func DefaultLimits() Limits {
	return Limits{MaxMemberBytes: DefaultMaxMemberBytes, MaxTotalBytes: DefaultMaxTotalBytes,
		MaxRatio: DefaultMaxRatio, MaxEntries: DefaultMaxEntries, MaxDepth: DefaultMaxDepth}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxMemberBytes <= 0 {
		l.MaxMemberBytes = d.MaxMemberBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	if !(l.MaxRatio >= 1) || math.IsInf(l.MaxRatio, 0) {
		l.MaxRatio = d.MaxRatio
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	return l
}

// LimitOptionDocs are the options that set Limits, for kinds that read
// ZIP uploads.
var LimitOptionDocs = []pipeline.Option{
	{Name: "max_member_bytes", Default: strconv.FormatInt(DefaultMaxMemberBytes, 10),
		Doc: "largest uncompressed ZIP member, in bytes; a larger one refuses its archive before anything is written " +
			"(Calabrio documents no upload size limit; 2 GiB holds 3 hours of 44.1 kHz stereo WAV or 4 hours of 1 Mbit/s screen video)"},
	{Name: "max_zip_bytes", Default: strconv.FormatInt(DefaultMaxTotalBytes, 10),
		Doc: "largest uncompressed size of all ZIP members of the upload together, in bytes (no documented Calabrio limit)"},
	{Name: "max_zip_ratio", Default: strconv.Itoa(DefaultMaxRatio),
		Doc: "largest compression ratio (uncompressed/compressed) of a ZIP member, and of a whole archive, from 1 MiB uncompressed; " +
			"recordings with sound and text stay under 90, zeros and digital silence reach 1030"},
	{Name: "max_zip_entries", Default: strconv.Itoa(DefaultMaxEntries),
		Doc: "most members in all ZIPs of the upload (no documented Calabrio limit)"},
	{Name: "max_zip_depth", Default: strconv.Itoa(DefaultMaxDepth),
		Doc: "how deep ZIPs nest: 1 expands the upload's ZIPs and refuses a ZIP inside one, as Calabrio's uploads take ZIPs " +
			"only to compress the upload's files; 2 also expands ZIPs inside ZIPs"},
}

// ParseLimits reads the LimitOptionDocs options from m.
func ParseLimits(m map[string]string) (Limits, error) {
	l := DefaultLimits()
	var errs []string
	whole := func(name string, dst *int64) {
		if v, ok := m[name]; ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || n <= 0 {
				errs = append(errs, fmt.Sprintf("%s %q: want a positive whole number", name, v))
				return
			}
			*dst = n
		}
	}
	whole("max_member_bytes", &l.MaxMemberBytes)
	whole("max_zip_bytes", &l.MaxTotalBytes)
	entries, depth := int64(l.MaxEntries), int64(l.MaxDepth)
	whole("max_zip_entries", &entries)
	whole("max_zip_depth", &depth)
	l.MaxEntries = int(min(entries, math.MaxInt32))
	l.MaxDepth = int(min(depth, 100))
	if v, ok := m["max_zip_ratio"]; ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || !(f >= 1) || math.IsInf(f, 0) {
			errs = append(errs, fmt.Sprintf("max_zip_ratio %q: want a number of at least 1", v))
		} else {
			l.MaxRatio = f
		}
	}
	if len(errs) > 0 {
		return l, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return l, nil
}

// isZip reports whether a member name is a ZIP archive, by extension, as
// the upload APIs tell file types.
func isZip(name string) bool { return strings.EqualFold(path.Ext(name), ".zip") }

// archiveTally is what one archive's members declared so far.
type archiveTally struct {
	size  int64 // the archive's own size in bytes
	unzip int64 // its members' declared uncompressed bytes
}

// bound checks one member against the limits from what the archive's
// central directory declares, and the archive's ratio so far against its
// real size; the reader then holds the member to its declared size, so
// no byte beyond what was checked is ever decompressed.
func (s *Set) bound(archive, name string, zf *zip.File, l Limits, a *archiveTally) error {
	s.entries++
	if s.entries > l.MaxEntries {
		return fmt.Errorf("zip %s: more than %d members in the upload's ZIPs (max_zip_entries)", archive, l.MaxEntries)
	}
	size := zf.UncompressedSize64
	if size > uint64(l.MaxMemberBytes) {
		return fmt.Errorf("zip %s: member %s is %d bytes uncompressed, over the limit of %d (max_member_bytes)", archive, name, size, l.MaxMemberBytes)
	}
	if size >= RatioFloor {
		if zf.CompressedSize64 == 0 || float64(size)/float64(zf.CompressedSize64) > l.MaxRatio {
			return fmt.Errorf("zip %s: member %s expands %d bytes to %d, a ratio over %g:1 (max_zip_ratio): a zip bomb?",
				archive, name, zf.CompressedSize64, size, l.MaxRatio)
		}
	}
	a.unzip += int64(size)
	if a.unzip >= RatioFloor && (a.size <= 0 || float64(a.unzip)/float64(a.size) > l.MaxRatio) {
		return fmt.Errorf("zip %s: its members up to %s come to %d bytes uncompressed from a %d-byte archive, a ratio over %g:1 (max_zip_ratio): a zip bomb?",
			archive, name, a.unzip, a.size, l.MaxRatio)
	}
	s.unzip += int64(size)
	if s.unzip > l.MaxTotalBytes {
		return fmt.Errorf("zip %s: the upload's ZIP members come to more than %d bytes uncompressed at member %s (max_zip_bytes)", archive, l.MaxTotalBytes, name)
	}
	return nil
}
