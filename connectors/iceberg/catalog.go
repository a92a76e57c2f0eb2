package iceberg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	sqlcat "github.com/apache/iceberg-go/catalog/sql"
	icebergio "github.com/apache/iceberg-go/io"
	_ "github.com/apache/iceberg-go/io/gocloud/s3" // s3:// warehouses
	_ "github.com/jackc/pgx/v5/stdlib"             // the postgres catalog's driver
	_ "modernc.org/sqlite"                         // the embedded catalog's driver (pure Go)
)

// Warehouse is where a sink's tables live: a local directory or an S3
// prefix, as Iceberg locations (file:///dir, s3://bucket/prefix).
type Warehouse struct {
	Location string
	Local    string // the directory, for a local warehouse
}

// ParseURL reads a sink URL: iceberg:///abs/dir or iceberg://rel/dir for a
// local warehouse, iceberg+s3://bucket/prefix for S3.
func ParseURL(raw string) (Warehouse, error) {
	if rest, ok := strings.CutPrefix(raw, "iceberg+s3://"); ok {
		rest = strings.Trim(rest, "/")
		if rest == "" || strings.HasPrefix(rest, "/") {
			return Warehouse{}, fmt.Errorf("iceberg sink %s: want iceberg+s3://bucket/prefix", raw)
		}
		return Warehouse{Location: "s3://" + rest}, nil
	}
	rest, ok := strings.CutPrefix(raw, "iceberg://")
	if !ok || rest == "" {
		return Warehouse{}, fmt.Errorf("iceberg sink %q: want iceberg:///dir or iceberg+s3://bucket/prefix", raw)
	}
	dir, err := filepath.Abs(rest)
	if err != nil {
		return Warehouse{}, fmt.Errorf("iceberg sink %s: %w", raw, err)
	}
	return Warehouse{Location: (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String(), Local: dir}, nil
}

// lakeCatalog is an open catalog of any kind: SQL (SQLite, PostgreSQL) or
// REST. Close releases its connections.
type lakeCatalog interface {
	catalog.Catalog
	Close() error
}

// sqlCatalog is an open SQL catalog and its database handle.
type sqlCatalog struct {
	*sqlcat.Catalog
	db *sql.DB
}

// Close releases the catalog and its connections.
func (c *sqlCatalog) Close() error { return errors.Join(c.Catalog.Close(), c.db.Close()) }

// openCatalog opens the catalog the options name, creating the SQLite
// catalog's file and tables and the namespace when missing. The caller
// closes it.
func openCatalog(ctx context.Context, wh Warehouse, o Options) (lakeCatalog, error) {
	return openLakeCatalog(ctx, wh, o, true)
}

// openLakeCatalog opens the catalog and checks the namespace; with create
// false, a missing local catalog file or namespace is an error rather
// than made.
func openLakeCatalog(ctx context.Context, wh Warehouse, o Options, create bool) (lakeCatalog, error) {
	var (
		cat lakeCatalog
		err error
	)
	if o.Catalog == CatalogREST {
		cat, err = openRESTCatalog(ctx, o)
	} else {
		cat, err = openSQLCatalog(ctx, wh, o, create)
	}
	if err != nil {
		return nil, err
	}
	if err := ensureNamespace(ctx, cat, o.Namespace, create); err != nil {
		if o.Catalog == CatalogREST {
			err = redact(err, o.secrets()...)
		}
		return nil, errors.Join(err, cat.Close())
	}
	return cat, nil
}

// ensureNamespace checks that the namespace exists, creating it when
// create is set; one made meanwhile by another run is fine.
func ensureNamespace(ctx context.Context, cat catalog.Catalog, namespace string, create bool) error {
	ns := catalog.ToIdentifier(namespace)
	ok, err := cat.CheckNamespaceExists(ctx, ns)
	if err == nil && !ok && !create {
		err = catalog.ErrNoSuchNamespace
	}
	if err == nil && !ok {
		if err = cat.CreateNamespace(ctx, ns, nil); errors.Is(err, catalog.ErrNamespaceAlreadyExists) {
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("iceberg catalog: namespace %s: %w", namespace, err)
	}
	return nil
}

// openSQLCatalog opens the SQL catalog; with create false, a missing local
// catalog file is an error rather than made.
func openSQLCatalog(ctx context.Context, wh Warehouse, o Options, create bool) (*sqlCatalog, error) {
	props := iceberg.Properties{"warehouse": wh.Location}
	for k, v := range s3Props(o) {
		props[k] = v
	}
	var (
		db      *sql.DB
		dialect sqlcat.SupportedDialect
		err     error
	)
	switch o.Catalog {
	case CatalogPostgres:
		dialect = sqlcat.Postgres
		db, err = sql.Open("pgx", o.CatalogURI.Reveal())
	default:
		dialect = sqlcat.SQLite
		file := o.CatalogURI.Reveal()
		if file == "" {
			if wh.Local == "" {
				return nil, errors.New("iceberg sink: an S3 warehouse needs catalog_uri (the SQLite file) or catalog=postgres")
			}
			if !create {
				if _, err := os.Stat(filepath.Join(wh.Local, "catalog.db")); err != nil {
					return nil, fmt.Errorf("iceberg warehouse %s: no catalog: %w", wh.Local, err)
				}
			}
			if err := os.MkdirAll(wh.Local, 0o755); err != nil {
				return nil, fmt.Errorf("iceberg warehouse: %w", err)
			}
			file = filepath.Join(wh.Local, "catalog.db")
		}
		// WAL and a busy timeout let two runs share the file; every pooled
		// connection gets them from the DSN.
		db, err = sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate")
	}
	if err != nil {
		return nil, fmt.Errorf("iceberg catalog: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("iceberg catalog (%s): %w", o.Catalog, err)
	}
	cat, err := sqlcat.NewCatalog(o.CatalogName, db, dialect, props)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("iceberg catalog (%s): %w", o.Catalog, err)
	}
	return &sqlCatalog{Catalog: cat, db: db}, nil
}

// s3Props are the warehouse's S3 settings as Iceberg file IO properties.
func s3Props(o Options) map[string]string {
	p := map[string]string{}
	if o.Region != "" {
		p[icebergio.S3Region] = o.Region
	} else if o.Endpoint != "" {
		p[icebergio.S3Region] = "us-east-1"
	}
	if o.Endpoint != "" {
		p[icebergio.S3EndpointURL] = o.Endpoint
	}
	p[icebergio.S3ForceVirtualAddressing] = strconv.FormatBool(!o.PathStyle)
	if !o.AccessKeyID.IsZero() {
		p[icebergio.S3AccessKeyID] = o.AccessKeyID.Reveal()
		p[icebergio.S3SecretAccessKey] = o.SecretAccessKey.Reveal()
		if !o.SessionToken.IsZero() {
			p[icebergio.S3SessionToken] = o.SessionToken.Reveal()
		}
	}
	return p
}
