package restcat

import (
	"encoding/json"
	"net/http"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"
)

// tableIdent is the table the path names.
func tableIdent(r *http.Request) table.Identifier {
	return append(namespace(r), r.PathValue("table"))
}

// listTables answers GET /v1/{prefix}/namespaces/{ns}/tables.
func (s *Server) listTables(w http.ResponseWriter, r *http.Request) {
	ns := namespace(r)
	type ident struct {
		Namespace []string `json:"namespace"`
		Name      string   `json:"name"`
	}
	ids := []ident{}
	s.mu.Lock()
	defer s.mu.Unlock()
	ok, err := s.cat.CheckNamespaceExists(r.Context(), ns)
	if err == nil && !ok {
		err = catalog.ErrNoSuchNamespace
	}
	if err != nil {
		fail(w, err)
		return
	}
	for id, err := range s.cat.ListTables(r.Context(), ns) {
		if err != nil {
			fail(w, err)
			return
		}
		ids = append(ids, ident{Namespace: id[:len(id)-1], Name: id[len(id)-1]})
	}
	writeJSON(w, http.StatusOK, map[string]any{"identifiers": ids})
}

// createTable answers POST /v1/{prefix}/namespaces/{ns}/tables with a
// CreateTableRequest; the spec and order refer to the request's schema
// and are bound to it as the table is made.
func (s *Server) createTable(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name          string                        `json:"name"`
		Location      string                        `json:"location"`
		Schema        *iceberg.Schema               `json:"schema"`
		PartitionSpec *iceberg.UnboundPartitionSpec `json:"partition-spec"`
		WriteOrder    *table.UnboundSortOrder       `json:"write-order"`
		StageCreate   bool                          `json:"stage-create"`
		Properties    iceberg.Properties            `json:"properties"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Name == "" || req.Schema == nil {
		writeError(w, http.StatusBadRequest, "BadRequestException", "want a CreateTableRequest with name and schema")
		return
	}
	if req.StageCreate {
		writeError(w, http.StatusNotImplemented, "UnsupportedOperationException", "staged creates are not supported")
		return
	}
	var opts []catalog.CreateTableOpt
	if req.Location != "" {
		opts = append(opts, catalog.WithLocation(req.Location))
	}
	if req.PartitionSpec != nil {
		opts = append(opts, catalog.WithPartitionSpec(&req.PartitionSpec.PartitionSpec))
	}
	if req.WriteOrder != nil {
		opts = append(opts, catalog.WithSortOrder(req.WriteOrder.SortOrder))
	}
	if req.Properties != nil {
		opts = append(opts, catalog.WithProperties(req.Properties))
	}
	id := append(namespace(r), req.Name)
	s.mu.Lock()
	tbl, err := s.cat.CreateTable(r.Context(), id, req.Schema, opts...)
	s.mu.Unlock()
	if err != nil {
		fail(w, err)
		return
	}
	s.writeTable(w, tbl)
}

// loadTable answers GET and HEAD /v1/{prefix}/namespaces/{ns}/tables/{table}.
func (s *Server) loadTable(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	tbl, err := s.cat.LoadTable(r.Context(), tableIdent(r))
	s.mu.Unlock()
	switch {
	case err != nil:
		fail(w, err)
	case r.Method == http.MethodHead:
		w.WriteHeader(http.StatusNoContent)
	default:
		s.writeTable(w, tbl)
	}
}

// writeTable answers with a LoadTableResult: the metadata, its location
// and the table config (vended credentials).
func (s *Server) writeTable(w http.ResponseWriter, tbl *table.Table) {
	cfg := s.cfg.TableConfig
	if cfg == nil {
		cfg = iceberg.Properties{}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"metadata-location": tbl.MetadataLocation(), "metadata": tbl.Metadata(), "config": cfg})
}

// commitTable answers POST /v1/{prefix}/namespaces/{ns}/tables/{table}
// with a CommitTableRequest: the requirements are checked against the
// current metadata (409 CommitFailedException when one fails), then the
// updates applied through the backing catalog.
func (s *Server) commitTable(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Requirements table.Requirements `json:"requirements"`
		Updates      table.Updates      `json:"updates"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "BadRequestException", "want a CommitTableRequest: "+err.Error())
		return
	}
	id := tableIdent(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.cat.LoadTable(r.Context(), id)
	if err != nil {
		fail(w, err)
		return
	}
	for _, q := range req.Requirements {
		if err := q.Validate(cur.Metadata()); err != nil {
			writeError(w, http.StatusConflict, "CommitFailedException", err.Error())
			return
		}
	}
	meta, loc, err := s.cat.CommitTable(r.Context(), id, req.Requirements, req.Updates)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"metadata-location": loc, "metadata": meta})
}

// dropTable answers DELETE /v1/{prefix}/namespaces/{ns}/tables/{table}.
func (s *Server) dropTable(w http.ResponseWriter, r *http.Request) {
	s.drop(w, func() error { return s.cat.DropTable(r.Context(), tableIdent(r)) })
}
