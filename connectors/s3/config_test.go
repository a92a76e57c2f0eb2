package s3

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/pipeline"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct{ in, bucket, prefix, err string }{
		{in: "s3://data", bucket: "data"},
		{in: "s3://data/", bucket: "data"},
		{in: "s3://data/feeds/ccetl/", bucket: "data", prefix: "feeds/ccetl"},
		{in: "s3:///x", err: "no bucket"},
		{in: "/tmp/out", err: "want s3://bucket/prefix"},
	} {
		b, p, err := ParseURL(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseURL(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || b != tc.bucket || p != tc.prefix {
			t.Errorf("ParseURL(%q) = %q, %q, %v; want %q, %q", tc.in, b, p, err, tc.bucket, tc.prefix)
		}
	}
	if !IsURL("s3://b") || IsURL("/data/out") {
		t.Error("IsURL")
	}
}

func TestValidateReportsEverything(t *testing.T) {
	c := Config{
		Bucket:       "Bad_Bucket",
		Prefix:       "/lead",
		Endpoint:     "localhost:9000",
		AccessKeyID:  pipeline.NewSecret("AKIAEXAMPLE"),
		Profile:      "prod",
		SSE:          "aes",
		KMSKeyID:     "key-1",
		StorageClass: "COLD",
		PartSize:     mib,
		Concurrency:  0,
	}
	err := c.Validate()
	if err == nil {
		t.Fatal("Validate passed")
	}
	for _, want := range []string{
		`bucket "Bad_Bucket"`, `prefix "/lead"`, `endpoint "localhost:9000"`,
		"access_key_id and secret_access_key go together", "either profile or static keys",
		`sse "aes"`, `storage_class "COLD"`, "part_size 1048576", "concurrency 0", "zip_max_bytes 0",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "AKIAEXAMPLE") {
		t.Errorf("Validate error shows a key: %v", err)
	}

	c = DefaultConfig()
	c.Bucket, c.SSE, c.KMSKeyID = "data", SSES3, "k"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "sse_kms_key_id needs sse: sse-kms") {
		t.Errorf("KMS key without sse-kms: %v", err)
	}
	c = DefaultConfig()
	c.Bucket, c.Prefix, c.SSE, c.KMSKeyID, c.StorageClass = "data.feeds-1", "a/b", SSEKMS, "arn:aws:kms:k", "STANDARD_IA"
	c.Endpoint, c.PathStyle = "https://s3.example.com:9000", true
	c.AccessKeyID, c.SecretAccessKey = pipeline.NewSecret("a"), pipeline.NewSecret("b")
	if err := c.Validate(); err != nil {
		t.Errorf("valid config: %v", err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	c, err := ConfigFromEnv("s3://feeds/ccetl/out", env(map[string]string{
		"AWS_DEFAULT_REGION":  "eu-west-1",
		"AWS_REGION":          "eu-central-1",
		"AWS_ENDPOINT_URL":    "http://generic:1",
		"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:7070",
		"AWS_PROFILE":         "etl",
		EnvPathStyle:          "true",
		EnvSSE:                "sse-kms",
		EnvKMSKeyID:           "alias/etl",
		EnvStorageClass:       "STANDARD_IA",
		EnvPartSize:           "32MiB",
		EnvConcurrency:        "8",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Bucket: "feeds", Prefix: "ccetl/out", Region: "eu-central-1", Endpoint: "http://127.0.0.1:7070",
		PathStyle: true, Profile: "etl", SSE: SSEKMS, KMSKeyID: "alias/etl", StorageClass: "STANDARD_IA",
		PartSize: 32 * mib, Concurrency: 8, ZipMaxBytes: DefaultZipMaxBytes,
	}
	if fmt.Sprintf("%+v", c) != fmt.Sprintf("%+v", want) {
		t.Fatalf("ConfigFromEnv =\n%+v\nwant\n%+v", c, want)
	}

	c, err = ConfigFromEnv("s3://feeds", env(map[string]string{"AWS_DEFAULT_REGION": "eu-west-1"}))
	if err != nil || c.Region != "eu-west-1" || c.PartSize != DefaultPartSize || c.Concurrency != DefaultConcurrency || c.PathStyle {
		t.Fatalf("defaults: %+v, %v", c, err)
	}

	_, err = ConfigFromEnv("feeds", env(map[string]string{
		EnvPathStyle: "yes please", EnvPartSize: "lots", EnvConcurrency: "four",
	}))
	for _, want := range []string{"want s3://bucket/prefix", EnvPathStyle, EnvPartSize, EnvConcurrency} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad env: error %v lacks %q", err, want)
		}
	}
	_, err = ConfigFromEnv("s3://feeds", env(map[string]string{EnvPartSize: "1MiB"}))
	if err == nil || !strings.Contains(err.Error(), "part_size") {
		t.Errorf("small part size: %v", err)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "5242880": 5 * mib, "512KiB": 512 << 10, "16MiB": 16 * mib, "1GiB": gib} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "-1", "1.5MiB", "16MB", "99999999999GiB"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) passed", in)
		}
	}
}

func TestConfigHidesSecrets(t *testing.T) {
	c := DefaultConfig()
	c.AccessKeyID, c.SecretAccessKey, c.SessionToken = pipeline.NewSecret("AKIDVALUE"), pipeline.NewSecret("SECRETVALUE"), pipeline.NewSecret("TOKENVALUE")
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(f, c)
		for _, v := range []string{"AKIDVALUE", "SECRETVALUE", "TOKENVALUE"} {
			if strings.Contains(out, v) {
				t.Errorf("%s prints %s: %s", f, v, out)
			}
		}
	}
}

func TestMatchGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"*.csv", "a.csv", true},
		{"*.csv", "d/a.csv", false},
		{"**/*.csv", "a.csv", true},
		{"**/*.csv", "d/e/a.csv", true},
		{"d/**", "d/e/a.csv", true},
		{"d/**", "d", true},
		{"d/**/a.csv", "d/a.csv", true},
		{"d/**/a.csv", "d/x/y/a.csv", true},
		{"d/**/a.csv", "d/x/y/b.csv", false},
		{"**", "anything/at/all", true},
		{"d/*/a.csv", "d/x/y/a.csv", false},
		{"d/a.csv", "d/a.csv", true},
		{"d/a?.csv", "d/ab.csv", true},
	} {
		if got, err := matchGlob(tc.pattern, tc.name); err != nil || got != tc.want {
			t.Errorf("matchGlob(%q, %q) = %v, %v; want %v", tc.pattern, tc.name, got, err, tc.want)
		}
	}
	for pattern, want := range map[string]string{"exports/*.csv": "exports/", "**/*.zip": "", "a/b/c.csv": "a/b/c.csv", "in/2024-0?/x": "in/2024-0"} {
		if got := globPrefix(pattern); got != want {
			t.Errorf("globPrefix(%q) = %q, want %q", pattern, got, want)
		}
	}
	for _, bad := range []string{"", "/abs/*.csv", "a/[b"} {
		if checkGlob(bad) == nil {
			t.Errorf("checkGlob(%q) passed", bad)
		}
	}
}
