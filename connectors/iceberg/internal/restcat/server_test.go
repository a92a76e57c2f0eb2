package restcat_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/catalog/rest"
	"github.com/apache/iceberg-go/table"

	"github.com/ccetl/ccetl/connectors/iceberg/internal/restcat"
)

func start(t *testing.T) *restcat.Server {
	t.Helper()
	dir := t.TempDir()
	srv, err := restcat.Start(restcat.Config{CatalogFile: filepath.Join(dir, "c.db"), Location: "file://" + filepath.ToSlash(dir),
		ClientID: "id", ClientSecret: "secret", Warehouse: "lake", Prefix: "p"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// errorBody reads the spec's {"error": ErrorModel}.
func errorBody(t *testing.T, rsp *http.Response) (typ string, code int) {
	t.Helper()
	defer rsp.Body.Close()
	var body struct {
		Error struct {
			Message string `json:"message"`
			Type    string `json:"type"`
			Code    int    `json:"code"`
		} `json:"error"`
	}
	if err := json.NewDecoder(rsp.Body).Decode(&body); err != nil || body.Error.Message == "" {
		t.Fatalf("error body: %v", err)
	}
	return body.Error.Type, body.Error.Code
}

func TestWireErrors(t *testing.T) {
	srv := start(t)
	rsp, err := http.PostForm(srv.URL+"/v1/oauth/tokens", url.Values{"grant_type": {"client_credentials"},
		"client_id": {"id"}, "client_secret": {"nope"}})
	if err != nil {
		t.Fatal(err)
	}
	var oauth struct {
		Error string `json:"error"`
	}
	json.NewDecoder(rsp.Body).Decode(&oauth)
	rsp.Body.Close()
	if rsp.StatusCode != http.StatusUnauthorized || oauth.Error != "invalid_client" {
		t.Fatalf("bad client: %d %q", rsp.StatusCode, oauth.Error)
	}

	rsp, err = http.PostForm(srv.URL+"/v1/oauth/tokens", url.Values{"grant_type": {"client_credentials"},
		"client_id": {"id"}, "client_secret": {"secret"}, "scope": {"catalog"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	json.NewDecoder(rsp.Body).Decode(&tok)
	rsp.Body.Close()
	if tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "bearer") || tok.ExpiresIn <= 0 {
		t.Fatalf("token: %+v", tok)
	}

	get := func(path, token string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rsp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return rsp
	}
	for _, c := range []struct {
		path, token, typ string
		code             int
	}{
		{"/v1/config?warehouse=lake", "", "NotAuthorizedException", 401},
		{"/v1/config?warehouse=other", tok.AccessToken, "BadRequestException", 400},
		{"/v1/p/namespaces/none", tok.AccessToken, "NoSuchNamespaceException", 404},
		{"/v1/p/namespaces/none/tables/t", tok.AccessToken, "NoSuchTableException", 404},
	} {
		rsp := get(c.path, c.token)
		if typ, code := errorBody(t, rsp); rsp.StatusCode != c.code || code != c.code || typ != c.typ {
			t.Errorf("%s: %d %s (%d), want %d %s", c.path, rsp.StatusCode, typ, code, c.code, c.typ)
		}
	}
}

func TestThroughRESTClient(t *testing.T) {
	srv := start(t)
	ctx := context.Background()
	cat, err := rest.NewCatalog(ctx, "c", srv.URL, rest.WithCredential("id:secret"), rest.WithWarehouseLocation("lake"))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	ns := catalog.ToIdentifier("ns")
	if err := cat.CreateNamespace(ctx, ns, nil); err != nil {
		t.Fatal(err)
	}
	if err := cat.CreateNamespace(ctx, ns, nil); !errors.Is(err, catalog.ErrNamespaceAlreadyExists) {
		t.Fatalf("second create: %v", err)
	}
	if ok, err := cat.CheckNamespaceExists(ctx, ns); !ok || err != nil {
		t.Fatalf("exists: %v %v", ok, err)
	}
	id := catalog.ToIdentifier("ns", "t")
	if _, err := cat.LoadTable(ctx, id); !errors.Is(err, catalog.ErrNoSuchTable) {
		t.Fatalf("load of a missing table: %v", err)
	}
	sc := iceberg.NewSchema(0, iceberg.NestedField{ID: 1, Name: "id", Type: iceberg.PrimitiveTypes.String, Required: true},
		iceberg.NestedField{ID: 2, Name: "day", Type: iceberg.PrimitiveTypes.Date})
	spec := iceberg.NewPartitionSpec(iceberg.PartitionField{SourceIDs: []int{2}, FieldID: 1000, Name: "day_day", Transform: iceberg.DayTransform{}})
	tbl, err := cat.CreateTable(ctx, id, sc, catalog.WithPartitionSpec(&spec))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cat.CreateTable(ctx, id, sc); !errors.Is(err, catalog.ErrTableAlreadyExists) {
		t.Fatalf("second create: %v", err)
	}
	if s := tbl.Spec(); s.NumFields() != 1 {
		t.Fatalf("spec: %v", tbl.Spec())
	}
	// two commits on the same base: the second fails its requirement
	tx := tbl.NewTransaction()
	if err := tx.SetProperties(iceberg.Properties{"a": "1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	reqs := []table.Requirement{table.AssertTableUUID(tbl.Metadata().TableUUID()), table.AssertLastAssignedFieldID(99)}
	if _, _, err := cat.CommitTable(ctx, id, reqs, []table.Update{table.NewSetPropertiesUpdate(iceberg.Properties{"b": "2"})}); !errors.Is(err, table.ErrCommitFailed) {
		t.Fatalf("stale commit: %v", err)
	}
	n := 0
	for _, err := range cat.ListTables(ctx, ns) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 1 {
		t.Fatalf("%d tables", n)
	}
	if err := cat.DropTable(ctx, id); err != nil {
		t.Fatal(err)
	}
	if ok, err := cat.CheckTableExists(ctx, id); ok || err != nil {
		t.Fatalf("dropped table exists: %v %v", ok, err)
	}
}
