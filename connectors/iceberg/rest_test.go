package iceberg_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	"github.com/aws/aws-sdk-go-v2/aws"

	ccice "github.com/ccetl/ccetl/connectors/iceberg"
	"github.com/ccetl/ccetl/connectors/iceberg/internal/restcat"
	"github.com/ccetl/ccetl/pipeline"
)

// The REST catalog tests run the sink against restcat, an Iceberg REST
// catalog served over HTTP by the test and backed by a SQL catalog in a
// SQLite file, so every request goes through iceberg-go's REST client.

const (
	restClientID     = "ccetl-client"
	restClientSecret = "s3cr3t-client-value"
)

// startREST serves a REST catalog with its backing catalog and warehouse
// in temporary directories (cfg.Location overrides the warehouse).
func startREST(t *testing.T, cfg restcat.Config) *restcat.Server {
	t.Helper()
	dir := t.TempDir()
	cfg.CatalogFile = filepath.Join(dir, "rest-catalog.db")
	if cfg.Location == "" {
		cfg.Location = "file://" + filepath.ToSlash(filepath.Join(dir, "warehouse"))
	}
	srv, err := restcat.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// restLocate finds a table's metadata in the REST catalog's backing file.
func restLocate(t *testing.T, srv *restcat.Server) func(string) string {
	return func(table string) string { return sqliteLocationNS(t, srv.CatalogFile(), table) }
}

func TestRESTCatalogBearerToken(t *testing.T) {
	const token = "static-bearer-token-0042"
	srv := startREST(t, restcat.Config{Token: token, Warehouse: "lake", Prefix: "cat/lake", HidePrefix: true})
	opts := map[string]string{"catalog": "rest", "catalog_uri": srv.URL, "warehouse": "lake", "token": token, "prefix": "/cat/lake/"}
	res := runOnce(t, "iceberg://"+t.TempDir(), opts, "run-1", rows{"a.csv", 0, 40, base})
	if res.Tables[contacts.Name].Rows != 40 {
		t.Fatalf("commit: %+v", res.Tables[contacts.Name])
	}
	if srv.Denied() != 0 {
		t.Errorf("%d requests refused", srv.Denied())
	}

	opts["token"] = "not-the-token-9876"
	_, err := ccice.Open(context.Background(), pipeline.SinkConfig{URL: "iceberg://" + t.TempDir(),
		Tables: []pipeline.Table{contacts}, RunKey: "k", Options: opts}, nil)
	if err == nil {
		t.Fatal("a wrong token was accepted")
	}
	if strings.Contains(err.Error(), "not-the-token-9876") || !strings.Contains(err.Error(), "NotAuthorizedException") {
		t.Errorf("error: %v", err)
	}
}

// awsEnv gives the AWS credential chain static keys and nothing else.
func awsEnv(t *testing.T, key, secret string) {
	dir := t.TempDir()
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_ENDPOINT_URL": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true"} {
		t.Setenv(k, v)
	}
}

func TestRESTCatalogSigV4(t *testing.T) {
	const key, secret = "AKIDEXAMPLECCETL", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	awsEnv(t, key, secret)
	srv := startREST(t, restcat.Config{Warehouse: "123456789012", SigV4: &restcat.SigV4{Region: "us-east-1", Service: "glue",
		Credentials: aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}}})
	opts := map[string]string{"catalog": "rest", "catalog_uri": srv.URL, "warehouse": "123456789012",
		"sigv4": "true", "signing_region": "us-east-1", "signing_name": "glue"}
	url := "iceberg://" + t.TempDir()
	runOnce(t, url, opts, "run-1", rows{"a.csv", 0, 40, base})
	runOnce(t, url, opts, "run-2", rows{"a.csv", 0, 30, base})
	ts, err := ccice.Snapshots(context.Background(), pipeline.SinkConfig{URL: url, Options: opts}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || len(ts[0].Snapshots) != 2 || ts[0].Snapshots[1].TotalRows != 30 {
		t.Fatalf("snapshots: %+v", ts)
	}
	if srv.Denied() != 0 {
		t.Errorf("%d requests refused", srv.Denied())
	}

	awsEnv(t, key, "a-different-secret-key-0000")
	_, err = ccice.Snapshots(context.Background(), pipeline.SinkConfig{URL: url, Options: opts}, nil, "")
	if err == nil || !strings.Contains(err.Error(), "ForbiddenException") {
		t.Fatalf("signed with the wrong key: %v", err)
	}
	if strings.Contains(err.Error(), "a-different-secret-key-0000") {
		t.Errorf("the secret key is in the error: %v", err)
	}
}

func TestRESTCatalogBadCredential(t *testing.T) {
	srv := startREST(t, restcat.Config{ClientID: restClientID, ClientSecret: restClientSecret})
	for _, cred := range []string{restClientID + ":wrong-secret-4711", "wrong-client:" + restClientSecret} {
		opts := map[string]string{"catalog": "rest", "catalog_uri": srv.URL, "credential": cred}
		_, err := ccice.Open(context.Background(), pipeline.SinkConfig{URL: "iceberg://" + t.TempDir(),
			Tables: []pipeline.Table{contacts}, RunKey: "k", Options: opts}, nil)
		if err == nil {
			t.Fatalf("credential %s accepted", cred)
		}
		msg := err.Error()
		for _, s := range []string{cred, "wrong-secret-4711", restClientSecret} {
			if strings.Contains(msg, s) {
				t.Errorf("error shows a secret: %v", err)
			}
		}
		if !strings.Contains(msg, "iceberg catalog (rest)") || !strings.Contains(msg, "invalid_client") {
			t.Errorf("error does not say the credential was refused: %v", err)
		}
	}
	if srv.Denied() != 2 {
		t.Errorf("%d refusals, want 2", srv.Denied())
	}
}

func TestRESTOptions(t *testing.T) {
	o, err := ccice.ParseOptions(map[string]string{"catalog": "rest", "catalog_uri": "https://glue.eu-west-1.amazonaws.com/iceberg",
		"warehouse": "123456789012", "sigv4": "true"}, nil)
	if err != nil || o.REST.SigningName != "glue" || o.REST.SigningRegion != "eu-west-1" || o.REST.Warehouse != "123456789012" {
		t.Fatalf("glue: %+v %v", o.REST, err)
	}
	o, err = ccice.ParseOptions(map[string]string{"catalog": "rest", "catalog_uri": "https://s3tables.us-east-2.amazonaws.com/iceberg",
		"sigv4": "true", "signing_region": "us-west-2"}, nil)
	if err != nil || o.REST.SigningName != "s3tables" || o.REST.SigningRegion != "us-west-2" {
		t.Fatalf("s3 tables: %+v %v", o.REST, err)
	}
	o, err = ccice.ParseOptions(map[string]string{"catalog": "rest", "catalog_uri": "http://polaris:8181/api/catalog",
		"warehouse": "lake", "credential": "id:very-secret-1", "scope": "PRINCIPAL_ROLE:ALL",
		"oauth2_server_uri": "http://polaris:8181/api/catalog/v1/oauth/tokens"}, nil)
	if err != nil || o.REST.Scope != "PRINCIPAL_ROLE:ALL" {
		t.Fatalf("polaris: %+v %v", o.REST, err)
	}
	for _, s := range []string{fmt.Sprint(o), fmt.Sprintf("%+v", o), fmt.Sprintf("%#v", o)} {
		if strings.Contains(s, "very-secret-1") {
			t.Errorf("options print the credential: %s", s)
		}
	}

	for _, c := range []struct {
		opts map[string]string
		want []string
	}{
		{map[string]string{"catalog": "rest"}, []string{"catalog_uri: the rest catalog needs"}},
		{map[string]string{"catalog": "rest", "catalog_uri": "polaris:8181"}, []string{"catalog_uri: want an http"}},
		{map[string]string{"catalog": "rest", "catalog_uri": "http://x", "credential": "a:tok-secret-1", "token": "tok-secret-2"},
			[]string{"credential and token"}},
		{map[string]string{"catalog": "rest", "catalog_uri": "http://x", "sigv4": "true", "token": "tok-secret-2"},
			[]string{"sigv4: signs with the AWS credential chain", "signing_name: not known"}},
		{map[string]string{"catalog": "rest", "catalog_uri": "http://x", "sigv4": "yes", "scope": "s", "signing_name": "glue"},
			[]string{"sigv4: want true or false", "scope: only with credential", "signing_region and signing_name: only with sigv4"}},
		{map[string]string{"catalog": "rest", "catalog_uri": "http://x", "credential": "a:b", "oauth2_server_uri": "/tokens"},
			[]string{"oauth2_server_uri: want an http"}},
		{map[string]string{"warehouse": "lake", "token": "tok-secret-3", "mode": "bogus"},
			[]string{"warehouse: only for catalog rest", "token: only for catalog rest", "mode:"}},
		{map[string]string{"catalog": "glue"}, []string{"want sqlite, postgres or rest"}},
	} {
		_, err := ccice.ParseOptions(c.opts, nil)
		if err == nil {
			t.Errorf("%v: no error", c.opts)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q lacks %q", c.opts, err, w)
			}
		}
		if strings.Contains(err.Error(), "tok-secret") {
			t.Errorf("%v: error shows a secret: %v", c.opts, err)
		}
	}
}

// restResume checks that Resume, Compact and Expire work through the
// REST catalog on the tables a REST run wrote.
func restResume(t *testing.T, url string, opts map[string]string) {
	t.Helper()
	ctx := context.Background()
	sc := pipeline.SinkConfig{URL: url, Options: opts}
	s, err := ccice.Open(ctx, pipeline.SinkConfig{URL: url, Options: opts, Tables: []pipeline.Table{contacts},
		RunKey: pipeline.RunKey("test", []string{"r.csv"}), Step: "pull"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewGoAllocator()
	inputs := write(t, s, mem, rows{"r.csv", 0, 10, base})
	if _, err := s.Close(ctx, pipeline.RunInfo{RunID: "run-9", Kind: "test", Inputs: inputs,
		Cursors: map[string]string{"since": "2024-05-01"}}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := ccice.Resume(ctx, sc, nil, "pull")
	if err != nil || !ok || got.RunID != "run-9" || got.Cursors["since"] != "2024-05-01" {
		t.Fatalf("resume: %+v %v %v", got, ok, err)
	}
	if _, ok, err := ccice.Resume(ctx, pipeline.SinkConfig{URL: url, Options: withOpt(opts, "namespace", "empty")}, nil, "pull"); ok || err != nil {
		t.Fatalf("resume of a namespace never written: %v %v", ok, err)
	}
	cres, err := ccice.Compact(ctx, sc, nil, pipeline.CompactOptions{TargetFileBytes: 128 << 20})
	if err != nil {
		t.Fatalf("compact: %v", err)
	}
	if _, err := ccice.Expire(ctx, sc, nil, pipeline.ExpireOptions{RetainLast: 1}); err != nil {
		t.Fatalf("expire: %v (compacted %+v)", err, cres)
	}
}

func withOpt(opts map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for ok, ov := range opts {
		if ok != k {
			out[ok] = ov
		}
	}
	return out
}

// s3Vended is the S3 test server's access as a REST catalog vends it:
// the table config's file IO properties.
func s3Vended(opts map[string]string) iceberg.Properties {
	return iceberg.Properties{"s3.access-key-id": opts["access_key_id"], "s3.secret-access-key": opts["secret_access_key"],
		"s3.endpoint": opts["endpoint"], "s3.region": "us-east-1", "s3.force-virtual-addressing": "false"}
}

// restClient are the sink options of an OAuth2 client of srv.
func restClient(srv *restcat.Server, warehouse string) map[string]string {
	return map[string]string{"catalog": "rest", "catalog_uri": srv.URL, "warehouse": warehouse,
		"credential": restClientID + ":" + restClientSecret, "scope": "PRINCIPAL_ROLE:ALL"}
}

func checkScopes(t *testing.T, srv *restcat.Server) {
	t.Helper()
	sc := srv.Scopes()
	if len(sc) == 0 || slices.IndexFunc(sc, func(s string) bool { return s != "PRINCIPAL_ROLE:ALL" }) >= 0 {
		t.Errorf("token scopes %v, want PRINCIPAL_ROLE:ALL", sc)
	}
	if srv.Denied() != 0 {
		t.Errorf("%d requests refused", srv.Denied())
	}
}
