package inputs

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zip"

	"github.com/ccetl/ccetl/pipeline"
)

// Limits bound what ZIP archives an input set accepts, so that a ZIP bomb
// is refused from its central directory, before anything is decompressed
// or written, with an error naming the archive, the member and the option.
// Calabrio's upload documentation states no size limits, so the defaults
// are sized on the data: a call recording is rarely over 200 MB (four
// hours of 8 kHz 16-bit stereo WAV is 230 MB), text bodies and metadata far
// less; real recordings and text compress at most about 10:1, while a
// bomb's zeros compress about 1000:1.
type Limits struct {
	// MaxMemberBytes bounds one member's uncompressed size.
	MaxMemberBytes int64
	// MaxTotalBytes bounds the uncompressed size of every member of every
	// archive of the input set (one upload).
	MaxTotalBytes int64
	// MaxRatio bounds a member's uncompressed/compressed ratio; members
	// under RatioFloor bytes are not judged (tiny files compress oddly).
	MaxRatio float64
	// MaxEntries bounds the members of all archives of the set.
	MaxEntries int
	// NestedZips accepts ZIP members that are ZIP archives themselves
	// (never expanded further, kept as files). Off by default: a ZIP in a
	// ZIP is how recursive bombs are built and no upload needs one.
	NestedZips bool
}

// Defaults of Limits.
const (
	DefaultMaxTotalBytes = 20 << 30
	DefaultMaxRatio      = 200
	DefaultMaxEntries    = 100_000
	// RatioFloor is the size from which a member's ratio is judged.
	RatioFloor = 1 << 20
)

// DefaultLimits are the limits of every kind that reads ZIPs.
func DefaultLimits() Limits {
	return Limits{MaxMemberBytes: DefaultMaxMemberBytes, MaxTotalBytes: DefaultMaxTotalBytes,
		MaxRatio: DefaultMaxRatio, MaxEntries: DefaultMaxEntries}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxMemberBytes <= 0 {
		l.MaxMemberBytes = d.MaxMemberBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	return l
}

// LimitOptionDocs are the options that set Limits, for kinds that read
// ZIP uploads.
var LimitOptionDocs = []pipeline.Option{
	{Name: "max_member_bytes", Default: strconv.FormatInt(DefaultMaxMemberBytes, 10),
		Doc: "largest uncompressed ZIP member, in bytes; a larger one refuses its archive before anything is written"},
	{Name: "max_zip_bytes", Default: strconv.FormatInt(DefaultMaxTotalBytes, 10),
		Doc: "largest uncompressed size of all ZIP members of the upload together, in bytes"},
	{Name: "max_zip_ratio", Default: strconv.Itoa(DefaultMaxRatio),
		Doc: "largest compression ratio of a ZIP member of 1 MiB or more (uncompressed/compressed); real recordings and text stay under 10, a zip bomb's zeros reach 1000"},
	{Name: "max_zip_entries", Default: strconv.Itoa(DefaultMaxEntries), Doc: "most members in all ZIPs of the upload"},
	{Name: "nested_zips", Default: "false", Doc: "accept ZIP members that are ZIPs themselves (kept as files, never expanded); refused by default"},
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
	entries := int64(l.MaxEntries)
	whole("max_zip_entries", &entries)
	l.MaxEntries = int(entries)
	if v, ok := m["max_zip_ratio"]; ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 1 {
			errs = append(errs, fmt.Sprintf("max_zip_ratio %q: want a number of at least 1", v))
		}
		l.MaxRatio = f
	}
	switch v := m["nested_zips"]; v {
	case "", "false":
	case "true":
		l.NestedZips = true
	default:
		errs = append(errs, fmt.Sprintf("nested_zips %q: want true or false", v))
	}
	if len(errs) > 0 {
		return l, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return l, nil
}

// bound checks one member against the limits from what the archive's
// central directory declares; the reader then holds the member to its
// declared size.
func (s *Set) bound(archive, name string, zf *zip.File, l Limits) error {
	s.entries++
	if s.entries > l.MaxEntries {
		return fmt.Errorf("zip %s: more than %d members (max_zip_entries)", archive, l.MaxEntries)
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
	s.unzip += int64(size)
	if s.unzip > l.MaxTotalBytes {
		return fmt.Errorf("zip %s: the upload's ZIP members come to more than %d bytes uncompressed (max_zip_bytes)", archive, l.MaxTotalBytes)
	}
	if !l.NestedZips && strings.EqualFold(path.Ext(name), ".zip") {
		return fmt.Errorf("zip %s: member %s is a ZIP inside a ZIP, which is not accepted (nested_zips)", archive, name)
	}
	return nil
}
