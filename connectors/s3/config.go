package s3

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ccetl/ccetl/pipeline"
)

// Sizes and limits.
const (
	mib = 1 << 20
	gib = 1 << 30

	DefaultPartSize    = 16 * mib
	MinPartSize        = 5 * mib // S3's minimum for every part but the last
	MaxPartSize        = 5 * gib
	DefaultConcurrency = 4
	MaxConcurrency     = 64
	DefaultZipMaxBytes = 4 * gib
	maxParts           = 10000 // S3's limit per multipart upload
)

// Server-side encryption modes.
const (
	SSENone = ""
	SSES3   = "sse-s3"  // S3-managed keys (AES256)
	SSEKMS  = "sse-kms" // KMS keys; KMSKeyID picks one, "" the bucket's default
)

// Config says where the objects are and how to reach them. The zero value is
// not valid: start from DefaultConfig or ConfigFromEnv.
type Config struct {
	// Bucket and Prefix are the root of the store; ParseURL splits an
	// s3://bucket/prefix URL into them. Keys are relative to Prefix.
	Bucket string `yaml:"bucket"`
	Prefix string `yaml:"prefix"`

	// Region is the bucket's region; "" takes it from the AWS environment
	// or profile, and "us-east-1" when Endpoint is set.
	Region string `yaml:"region"`
	// Endpoint is a custom S3 endpoint URL (MinIO, versitygw, a VPC endpoint).
	Endpoint string `yaml:"endpoint"`
	// PathStyle addresses buckets as endpoint/bucket instead of
	// bucket.endpoint; most S3-compatible servers need it.
	PathStyle bool `yaml:"path_style"`

	// Credentials: static keys, or else a named profile, or else the
	// default AWS credential chain (environment, shared files, web
	// identity, container and instance roles).
	AccessKeyID     pipeline.Secret `yaml:"access_key_id"`
	SecretAccessKey pipeline.Secret `yaml:"secret_access_key"`
	SessionToken    pipeline.Secret `yaml:"session_token"`
	Profile         string          `yaml:"profile"`

	// SSE is "", "sse-s3" or "sse-kms"; KMSKeyID only goes with sse-kms.
	SSE      string `yaml:"sse"`
	KMSKeyID string `yaml:"sse_kms_key_id"`
	// StorageClass of written data objects ("" = the bucket's default).
	StorageClass string `yaml:"storage_class"`

	// PartSize and Concurrency bound upload memory per store: Concurrency
	// parts in flight, one part being filled per open object, and up to
	// Concurrency x PartSize of small closed objects awaiting Commit.
	PartSize    int64 `yaml:"part_size"`
	Concurrency int   `yaml:"concurrency"`

	// ZipMaxBytes is the largest object ReaderAt serves (ZIP inputs).
	ZipMaxBytes int64 `yaml:"zip_max_bytes"`
}

// DefaultConfig returns a Config with the default part size, concurrency and
// ZIP limit and no location.
func DefaultConfig() Config {
	return Config{PartSize: DefaultPartSize, Concurrency: DefaultConcurrency, ZipMaxBytes: DefaultZipMaxBytes}
}

// IsURL reports whether s is an s3:// URL.
func IsURL(s string) bool { return strings.HasPrefix(s, "s3://") }

// ParseURL splits s3://bucket/prefix into bucket and prefix (without
// leading or trailing slashes).
func ParseURL(raw string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(raw, "s3://")
	if !ok {
		return "", "", fmt.Errorf("s3 url %q: want s3://bucket/prefix", raw)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("s3 url %q: no bucket", raw)
	}
	return bucket, strings.Trim(prefix, "/"), nil
}

// URL is the s3://bucket/prefix the config points at.
func (c Config) URL() string {
	if c.Prefix == "" {
		return "s3://" + c.Bucket
	}
	return "s3://" + c.Bucket + "/" + c.Prefix
}

// Environment variables ConfigFromEnv reads besides the AWS ones.
const (
	EnvPathStyle    = "CCETL_S3_PATH_STYLE"
	EnvSSE          = "CCETL_S3_SSE"
	EnvKMSKeyID     = "CCETL_S3_SSE_KMS_KEY_ID"
	EnvStorageClass = "CCETL_S3_STORAGE_CLASS"
	EnvPartSize     = "CCETL_S3_PART_SIZE"
	EnvConcurrency  = "CCETL_S3_CONCURRENCY"
)

// ConfigFromEnv builds the config of `ccetl convert --out s3://...`, which
// has no job file: the location from rawURL, region, endpoint and profile
// from the standard AWS variables (AWS_REGION or AWS_DEFAULT_REGION,
// AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, AWS_PROFILE) and the rest from
// CCETL_S3_* variables. Keys are not read here: with no static keys the SDK's
// default chain reads AWS_ACCESS_KEY_ID and the others itself. Every problem
// is reported at once; the result is validated.
func ConfigFromEnv(rawURL string, getenv func(string) string) (Config, error) {
	return ConfigFromOptions(rawURL, nil, getenv)
}

// ConfigFromOptions builds a config from sink options (see OptionDocs) over
// the environment's settings (as ConfigFromEnv; getenv may be nil) over the
// defaults. Every problem is reported at once; the result is validated.
func ConfigFromOptions(rawURL string, opts map[string]string, getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	var errs []error
	var err error
	if c.Bucket, c.Prefix, err = ParseURL(rawURL); err != nil {
		errs = append(errs, err)
	}
	if getenv != nil {
		env, from := envSettings(getenv)
		errs = append(errs, c.setAll(env, func(name string) string { return from[name] })...)
	}
	errs = append(errs, c.setAll(opts, func(name string) string { return "option " + name })...)
	if len(errs) == 0 {
		return c, c.Validate()
	}
	return c, errors.Join(errs...)
}

// envSettings maps the environment to option names; from names the
// variable each setting came from.
func envSettings(getenv func(string) string) (m, from map[string]string) {
	m, from = map[string]string{}, map[string]string{}
	for opt, names := range map[string][]string{
		"region":         {"AWS_REGION", "AWS_DEFAULT_REGION"},
		"endpoint":       {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"},
		"profile":        {"AWS_PROFILE"},
		"path_style":     {EnvPathStyle},
		"sse":            {EnvSSE},
		"sse_kms_key_id": {EnvKMSKeyID},
		"storage_class":  {EnvStorageClass},
		"part_size":      {EnvPartSize},
		"concurrency":    {EnvConcurrency},
	} {
		for _, n := range names {
			if v := getenv(n); v != "" {
				m[opt], from[opt] = v, n
				break
			}
		}
	}
	return m, from
}

// OptionDocs documents the S3 settings a sink's options may give.
var OptionDocs = []pipeline.Option{
	{Name: "region", Doc: "bucket region (default: AWS_REGION, the profile, or us-east-1 with an endpoint)"},
	{Name: "endpoint", Doc: "custom S3 endpoint URL (default: AWS_ENDPOINT_URL_S3)"},
	{Name: "path_style", Default: "false", Doc: "path-style addressing, for most S3-compatible servers (" + EnvPathStyle + ")"},
	{Name: "profile", Doc: "AWS shared-config profile (default: AWS_PROFILE)"},
	{Name: "access_key_id", Secret: true, Doc: "static access key id (default: the AWS credential chain)"},
	{Name: "secret_access_key", Secret: true, Doc: "static secret access key"},
	{Name: "session_token", Secret: true, Doc: "session token for temporary static keys"},
	{Name: "sse", Doc: "server-side encryption: sse-s3 or sse-kms (" + EnvSSE + ")"},
	{Name: "sse_kms_key_id", Doc: "KMS key for sse-kms (" + EnvKMSKeyID + ")"},
	{Name: "storage_class", Doc: "storage class of data files, e.g. STANDARD_IA (" + EnvStorageClass + ")"},
	{Name: "part_size", Default: "16MiB", Doc: "multipart part size, 5MiB to 5GiB (" + EnvPartSize + ")"},
	{Name: "concurrency", Default: "4", Doc: "parts uploaded at once; upload memory is at most about (2 x concurrency + open files) x part_size (" + EnvConcurrency + ")"},
}

// setAll applies settings by option name; names it does not know are left
// to the caller (a sink's options also hold the lake's). label names a
// setting's origin in messages.
func (c *Config) setAll(m map[string]string, label func(name string) string) []error {
	var errs []error
	for name, v := range m {
		var err error
		switch name {
		case "region":
			c.Region = v
		case "endpoint":
			c.Endpoint = v
		case "profile":
			c.Profile = v
		case "access_key_id":
			c.AccessKeyID = pipeline.NewSecret(v)
		case "secret_access_key":
			c.SecretAccessKey = pipeline.NewSecret(v)
		case "session_token":
			c.SessionToken = pipeline.NewSecret(v)
		case "sse":
			c.SSE = v
		case "sse_kms_key_id":
			c.KMSKeyID = v
		case "storage_class":
			c.StorageClass = v
		case "path_style":
			if c.PathStyle, err = strconv.ParseBool(v); err != nil {
				err = fmt.Errorf("want true or false, got %q", v)
			}
		case "part_size":
			c.PartSize, err = ParseSize(v)
		case "concurrency":
			if c.Concurrency, err = strconv.Atoi(v); err != nil {
				err = fmt.Errorf("want a whole number, got %q", v)
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("s3: %s: %w", label(name), err))
		}
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errs
}

// ParseSize parses a byte count: "16777216", "16MiB", "512KiB", "1GiB".
func ParseSize(s string) (int64, error) {
	num, mult := s, int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", mib}, {"GiB", gib}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, mult = n, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("size %q: want bytes or a number with KiB, MiB or GiB", s)
	}
	return n * mult, nil
}

var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// Validate reports every problem in c at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch {
	case c.Bucket == "":
		bad("s3: bucket is required (s3://bucket/prefix)")
	case !bucketName.MatchString(c.Bucket):
		bad("s3: bucket %q: want 3-63 lower-case letters, digits, dots and hyphens", c.Bucket)
	}
	if strings.HasPrefix(c.Prefix, "/") || strings.HasSuffix(c.Prefix, "/") {
		bad("s3: prefix %q: no leading or trailing slash", c.Prefix)
	}
	if c.Endpoint != "" {
		if u, err := url.Parse(c.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("s3: endpoint %q: want http(s)://host[:port]", c.Endpoint)
		}
	}
	if c.AccessKeyID.IsZero() != c.SecretAccessKey.IsZero() {
		bad("s3: access_key_id and secret_access_key go together")
	}
	if !c.SessionToken.IsZero() && c.AccessKeyID.IsZero() {
		bad("s3: session_token needs access_key_id and secret_access_key")
	}
	if c.Profile != "" && !c.AccessKeyID.IsZero() {
		bad("s3: give either profile or static keys, not both")
	}
	switch c.SSE {
	case SSENone, SSES3:
		if c.KMSKeyID != "" {
			bad("s3: sse_kms_key_id needs sse: %s", SSEKMS)
		}
	case SSEKMS:
	default:
		bad("s3: sse %q: want %q, %q or empty", c.SSE, SSES3, SSEKMS)
	}
	if c.StorageClass != "" && !slices.Contains(types.StorageClass("").Values(), types.StorageClass(c.StorageClass)) {
		bad("s3: storage_class %q: want one of %v", c.StorageClass, types.StorageClass("").Values())
	}
	if c.PartSize < MinPartSize || c.PartSize > MaxPartSize {
		bad("s3: part_size %d: want %d (5 MiB) to %d (5 GiB)", c.PartSize, MinPartSize, int64(MaxPartSize))
	}
	if c.Concurrency < 1 || c.Concurrency > MaxConcurrency {
		bad("s3: concurrency %d: want 1 to %d", c.Concurrency, MaxConcurrency)
	}
	if c.ZipMaxBytes <= 0 {
		bad("s3: zip_max_bytes %d: want more than 0", c.ZipMaxBytes)
	}
	return errors.Join(errs...)
}
