package iceberg

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ccetl/ccetl/pipeline"
)

// Mode is how a commit treats rows an earlier run wrote.
type Mode string

// Write modes.
const (
	// Append adds the run's rows; nothing is removed.
	Append Mode = "append"
	// Replace removes the data files the same inputs wrote before and adds
	// the new ones in one snapshot, so a rerun never duplicates.
	Replace Mode = "replace"
	// Merge removes every earlier row whose key the run wrote again and
	// adds the run's rows: the newest version of a key wins.
	Merge Mode = "merge"
)

// Catalog kinds.
const (
	CatalogSQLite   = "sqlite"
	CatalogPostgres = "postgres"
	CatalogREST     = "rest"
)

// OptionDocs documents the Iceberg sink's options.
var OptionDocs = []pipeline.Option{
	{Name: "catalog", Default: "sqlite", Doc: "catalog: sqlite (an embedded SQL catalog in a file), postgres, or rest (an Iceberg REST catalog: Polaris, Lakekeeper, Nessie, AWS Glue, S3 Tables)"},
	{Name: "catalog_uri", Doc: "sqlite: the catalog file (default <warehouse>/catalog.db; required for an S3 warehouse); postgres: postgres://user:pass@host:port/db; rest: the REST endpoint, e.g. http://polaris:8181/api/catalog or https://glue.us-east-1.amazonaws.com/iceberg", Secret: true},
	{Name: "catalog_name", Default: "ccetl", Doc: "the catalog's name inside the SQL catalog tables"},
	{Name: "namespace", Default: "ccetl", Doc: "namespace the tables are created in"},
	{Name: "warehouse", Doc: "rest: the catalog's warehouse parameter (Glue: account id; S3 Tables: table bucket ARN; Polaris: catalog name; Lakekeeper: warehouse name)"},
	{Name: "credential", Doc: "rest: OAuth2 client credentials client_id:client_secret, exchanged at oauth2_server_uri for a token", Secret: true},
	{Name: "token", Doc: "rest: a bearer token sent as is (excludes credential)", Secret: true},
	{Name: "oauth2_server_uri", Doc: "rest: the OAuth2 token endpoint (default <catalog_uri>/v1/oauth/tokens)"},
	{Name: "scope", Default: "catalog", Doc: "rest: the OAuth2 scope requested with credential (Polaris: PRINCIPAL_ROLE:ALL)"},
	{Name: "sigv4", Default: "false", Doc: "rest: sign requests with AWS SigV4 and the AWS credential chain (AWS Glue, S3 Tables); excludes credential and token"},
	{Name: "signing_region", Doc: "rest, sigv4: the signing region (default: from the catalog_uri host, else AWS_REGION)"},
	{Name: "signing_name", Doc: "rest, sigv4: the signing service, glue or s3tables (default: from the catalog_uri host)"},
	{Name: "prefix", Doc: "rest: a path prefix after /v1 (default: the one the catalog's config returns)"},
	{Name: "mode", Default: "replace", Doc: "write mode: append, replace or merge; or per table as table=mode;table=mode (others: replace)"},
	{Name: "key", Doc: "merge key columns per table: table=col,col;table=col"},
	{Name: "order", Doc: "merge: the column whose greatest value is a key's newest version, per table: table=updated_at;table=col (default: the latest run's row)"},
	{Name: "file_bytes", Default: "512MiB", Doc: "target data file size"},
	{Name: "region", Doc: "S3 warehouse: bucket region (default AWS_REGION, or us-east-1 with an endpoint)"},
	{Name: "endpoint", Doc: "S3 warehouse: S3-compatible endpoint URL (default AWS_ENDPOINT_URL_S3)"},
	{Name: "path_style", Default: "false", Doc: "S3 warehouse: path-style addressing (default CCETL_S3_PATH_STYLE)"},
	{Name: "access_key_id", Doc: "S3 warehouse: static access key (default: the AWS credential chain)", Secret: true},
	{Name: "secret_access_key", Doc: "S3 warehouse: static secret key", Secret: true},
	{Name: "session_token", Doc: "S3 warehouse: session token", Secret: true},
}

// Options are the parsed sink options.
type Options struct {
	Catalog     string
	CatalogURI  pipeline.Secret
	CatalogName string
	Namespace   string
	Modes       map[string]Mode // by table; "*" for the rest
	Keys        map[string][]string
	Orders      map[string]string
	FileBytes   int64

	REST RESTOptions // catalog rest

	Region          string
	Endpoint        string
	PathStyle       bool
	AccessKeyID     pipeline.Secret
	SecretAccessKey pipeline.Secret
	SessionToken    pipeline.Secret
}

// ParseOptions reads the options over the defaults, reporting every
// problem at once. getenv (nil: none) supplies the S3 settings the options
// leave unset, as for the S3 sink.
func ParseOptions(m map[string]string, getenv func(string) string) (Options, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	o := Options{Catalog: CatalogSQLite, CatalogName: "ccetl", Namespace: "ccetl",
		Modes: map[string]Mode{"*": Replace}, Keys: map[string][]string{}, Orders: map[string]string{}, FileBytes: 512 << 20}
	var errs []error
	get := func(name, env string) string {
		if v, ok := m[name]; ok {
			return strings.TrimSpace(v)
		}
		if env != "" {
			return getenv(env)
		}
		return ""
	}
	if v := get("catalog", ""); v != "" {
		o.Catalog = v
	}
	if o.Catalog != CatalogSQLite && o.Catalog != CatalogPostgres && o.Catalog != CatalogREST {
		errs = append(errs, fmt.Errorf("catalog: want sqlite, postgres or rest, got %q", o.Catalog))
	}
	o.CatalogURI = pipeline.NewSecret(get("catalog_uri", ""))
	if o.Catalog == CatalogPostgres && o.CatalogURI.IsZero() {
		errs = append(errs, errors.New("catalog_uri: the postgres catalog needs a postgres:// URL"))
	}
	var rerrs []error
	o.REST, rerrs = parseREST(get, o.Catalog == CatalogREST, o.CatalogURI.Reveal())
	errs = append(errs, rerrs...)
	if v := get("catalog_name", ""); v != "" {
		o.CatalogName = v
	}
	if v := get("namespace", ""); v != "" {
		o.Namespace = v
	}
	if v, ok := m["mode"]; ok {
		modes, err := parseModes(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("mode: %w", err))
		}
		o.Modes = modes
	}
	if v, ok := m["key"]; ok {
		keys, err := parseKeys(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("key: %w", err))
		}
		o.Keys = keys
	}
	if v, ok := m["order"]; ok {
		cols, err := parseKeys(v)
		for t, c := range cols {
			if len(c) != 1 {
				err = fmt.Errorf("table %s: one order column, got %d", t, len(c))
				break
			}
			o.Orders[t] = c[0]
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("order: %w", err))
		}
	}
	if v, ok := m["file_bytes"]; ok {
		n, err := parseBytes(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("file_bytes: %w", err))
		}
		o.FileBytes = n
	}
	o.Region = get("region", "AWS_REGION")
	o.Endpoint = get("endpoint", "AWS_ENDPOINT_URL_S3")
	if v := get("path_style", "CCETL_S3_PATH_STYLE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("path_style: want true or false, got %q", v))
		}
		o.PathStyle = b
	}
	o.AccessKeyID = pipeline.NewSecret(get("access_key_id", ""))
	o.SecretAccessKey = pipeline.NewSecret(get("secret_access_key", ""))
	o.SessionToken = pipeline.NewSecret(get("session_token", ""))
	if o.AccessKeyID.IsZero() != o.SecretAccessKey.IsZero() {
		errs = append(errs, errors.New("access_key_id and secret_access_key go together"))
	}
	return o, errors.Join(errs...)
}

// mode returns the write mode of a table.
func (o Options) mode(table string) Mode {
	if m, ok := o.Modes[table]; ok {
		return m
	}
	if m, ok := o.Modes["*"]; ok {
		return m
	}
	return Replace
}

func parseMode(v string) (Mode, error) {
	switch m := Mode(strings.TrimSpace(v)); m {
	case Append, Replace, Merge:
		return m, nil
	}
	return "", fmt.Errorf("want append, replace or merge, got %q", v)
}

// parseModes reads "replace" (all tables) or "t1=merge;t2=append".
func parseModes(v string) (map[string]Mode, error) {
	if !strings.Contains(v, "=") {
		m, err := parseMode(v)
		return map[string]Mode{"*": m}, err
	}
	out := map[string]Mode{}
	for _, kv := range strings.Split(v, ";") {
		k, mv, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return nil, fmt.Errorf("want table=mode, got %q", kv)
		}
		m, err := parseMode(mv)
		if err != nil {
			return nil, err
		}
		out[strings.TrimSpace(k)] = m
	}
	return out, nil
}

// parseKeys reads "t1=id;t2=a,b".
func parseKeys(v string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, kv := range strings.Split(v, ";") {
		k, cols, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || strings.TrimSpace(cols) == "" {
			return nil, fmt.Errorf("want table=column[,column], got %q", kv)
		}
		for _, c := range strings.Split(cols, ",") {
			out[strings.TrimSpace(k)] = append(out[strings.TrimSpace(k)], strings.TrimSpace(c))
		}
	}
	return out, nil
}

func parseBytes(v string) (int64, error) {
	v = strings.TrimSpace(v)
	mult := int64(1)
	for _, u := range []struct {
		s string
		m int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if strings.HasSuffix(v, u.s) {
			v, mult = strings.TrimSpace(strings.TrimSuffix(v, u.s)), u.m
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, errors.New("want a positive size (units KiB, MiB, GiB allowed)")
	}
	return n * mult, nil
}
