// Package restcat is an Apache Iceberg REST catalog server for tests: the
// REST Catalog OpenAPI routes (config, OAuth2 tokens, namespaces, tables
// and commits) over HTTP, with the spec's request and error bodies, backed
// by an iceberg-go SQL catalog on a SQLite file, so table metadata files
// are real. It checks every request's authorization: an OAuth2 token it
// issued, a static bearer token, or an AWS SigV4 signature.
package restcat

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/apache/iceberg-go"
	sqlcat "github.com/apache/iceberg-go/catalog/sql"
	"github.com/aws/aws-sdk-go-v2/aws"
	_ "modernc.org/sqlite" // the backing catalog's driver
)

// Config is what the server serves and accepts.
type Config struct {
	// Warehouse is the warehouse parameter GET /v1/config must carry; empty
	// accepts any.
	Warehouse string
	// Prefix, when set, is returned as the config's prefix override, and
	// the catalog routes live under /v1/{Prefix}/, as Lakekeeper does.
	Prefix string
	// HidePrefix leaves the prefix out of the config: clients must be
	// configured with it.
	HidePrefix bool
	// Location is the backing catalog's warehouse (file:///dir or
	// s3://bucket/prefix), where tables are placed; IOProps are its file
	// IO properties (S3 endpoint and keys).
	Location string
	IOProps  iceberg.Properties
	// CatalogFile is the SQLite file of the backing catalog.
	CatalogFile string
	// TableConfig is returned as the config of every table load: vended
	// storage credentials, say.
	TableConfig iceberg.Properties

	// ClientID and ClientSecret are the client credentials the token
	// endpoint accepts.
	ClientID, ClientSecret string
	// Token is a static bearer token accepted as is.
	Token string
	// SigV4, when set, makes every request need a valid AWS signature.
	SigV4 *SigV4
}

// SigV4 is the AWS signature the server verifies.
type SigV4 struct {
	Region, Service string
	Credentials     aws.Credentials
}

// Server is a running REST catalog.
type Server struct {
	// URL is the catalog URI: http://127.0.0.1:port.
	URL string

	cfg  Config
	http *httptest.Server
	db   *sql.DB
	cat  *sqlcat.Catalog

	mu     sync.Mutex      // serializes catalog operations
	tokens map[string]bool // access tokens issued
	scopes []string        // scopes asked for at the token endpoint
	denied int             // requests refused for their authorization
}

// Start opens the backing catalog and serves it.
func Start(cfg Config) (*Server, error) {
	db, err := sql.Open("sqlite", "file:"+cfg.CatalogFile+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("restcat: %w", err)
	}
	props := iceberg.Properties{"warehouse": cfg.Location}
	for k, v := range cfg.IOProps {
		props[k] = v
	}
	cat, err := sqlcat.NewCatalog("restcat", db, sqlcat.SQLite, props)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("restcat: %w", err)
	}
	s := &Server{cfg: cfg, db: db, cat: cat, tokens: map[string]bool{}}
	s.http = httptest.NewServer(s.routes())
	s.URL = s.http.URL
	return s, nil
}

// Close stops the server and closes the backing catalog.
func (s *Server) Close() {
	s.http.Close()
	s.cat.Close()
	s.db.Close()
}

// CatalogFile is the SQLite file of the backing catalog.
func (s *Server) CatalogFile() string { return s.cfg.CatalogFile }

// Scopes are the scopes clients asked for at the token endpoint.
func (s *Server) Scopes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.scopes...)
}

// Denied is how many requests were refused for their authorization.
func (s *Server) Denied() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.denied
}

// routes are the REST Catalog API's routes; every one but the token
// endpoint needs authorization.
func (s *Server) routes() http.Handler {
	base := "/v1"
	if s.cfg.Prefix != "" {
		base += "/" + s.cfg.Prefix
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/oauth/tokens", s.issueToken)
	auth := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.authorized(h)) }
	auth("GET /v1/config", s.config)
	auth("GET "+base+"/namespaces", s.listNamespaces)
	auth("POST "+base+"/namespaces", s.createNamespace)
	auth("GET "+base+"/namespaces/{ns}", s.loadNamespace) // and HEAD
	auth("DELETE "+base+"/namespaces/{ns}", s.dropNamespace)
	auth("GET "+base+"/namespaces/{ns}/tables", s.listTables)
	auth("POST "+base+"/namespaces/{ns}/tables", s.createTable)
	auth("GET "+base+"/namespaces/{ns}/tables/{table}", s.loadTable) // and HEAD
	auth("POST "+base+"/namespaces/{ns}/tables/{table}", s.commitTable)
	auth("DELETE "+base+"/namespaces/{ns}/tables/{table}", s.dropTable)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			writeError(w, http.StatusNotFound, "NotFoundException", "no route "+r.Method+" "+r.URL.Path)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// config answers GET /v1/config?warehouse=...
func (s *Server) config(w http.ResponseWriter, r *http.Request) {
	if wh := r.URL.Query().Get("warehouse"); s.cfg.Warehouse != "" && wh != s.cfg.Warehouse {
		writeError(w, http.StatusBadRequest, "BadRequestException", fmt.Sprintf("no warehouse %q", wh))
		return
	}
	base := "/v1/{prefix}"
	overrides := map[string]string{}
	if s.cfg.Prefix != "" && !s.cfg.HidePrefix {
		overrides["prefix"] = s.cfg.Prefix
	}
	endpoints := []string{}
	for _, e := range []string{"GET /namespaces", "POST /namespaces", "GET /namespaces/{namespace}",
		"HEAD /namespaces/{namespace}", "DELETE /namespaces/{namespace}",
		"GET /namespaces/{namespace}/tables", "POST /namespaces/{namespace}/tables",
		"GET /namespaces/{namespace}/tables/{table}", "HEAD /namespaces/{namespace}/tables/{table}",
		"POST /namespaces/{namespace}/tables/{table}", "DELETE /namespaces/{namespace}/tables/{table}"} {
		method, path, _ := strings.Cut(e, " ")
		endpoints = append(endpoints, method+" "+base+path)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"defaults": map[string]string{}, "overrides": overrides, "endpoints": endpoints})
}
