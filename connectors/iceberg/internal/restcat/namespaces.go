package restcat

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"
)

// namespace reads the {ns} path parameter: levels joined by the unit
// separator (%1F), the spec's default.
func namespace(r *http.Request) table.Identifier { return strings.Split(r.PathValue("ns"), "\x1f") }

// listNamespaces answers GET /v1/{prefix}/namespaces[?parent=].
func (s *Server) listNamespaces(w http.ResponseWriter, r *http.Request) {
	var parent table.Identifier
	if p := r.URL.Query().Get("parent"); p != "" {
		parent = strings.Split(p, "\x1f")
	}
	s.mu.Lock()
	nss, err := s.cat.ListNamespaces(r.Context(), parent)
	s.mu.Unlock()
	if err != nil {
		fail(w, err)
		return
	}
	if nss == nil {
		nss = []table.Identifier{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"namespaces": nss})
}

// createNamespace answers POST /v1/{prefix}/namespaces.
func (s *Server) createNamespace(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Namespace  table.Identifier   `json:"namespace"`
		Properties iceberg.Properties `json:"properties"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Namespace) == 0 {
		writeError(w, http.StatusBadRequest, "BadRequestException", "want {\"namespace\": [...]}")
		return
	}
	if req.Properties == nil {
		req.Properties = iceberg.Properties{}
	}
	s.mu.Lock()
	err := s.cat.CreateNamespace(r.Context(), req.Namespace, req.Properties)
	s.mu.Unlock()
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"namespace": req.Namespace, "properties": req.Properties})
}

// loadNamespace answers GET and HEAD /v1/{prefix}/namespaces/{ns}.
func (s *Server) loadNamespace(w http.ResponseWriter, r *http.Request) {
	ns := namespace(r)
	s.mu.Lock()
	props, err := s.cat.LoadNamespaceProperties(r.Context(), ns)
	s.mu.Unlock()
	switch {
	case err != nil:
		fail(w, err)
	case r.Method == http.MethodHead:
		w.WriteHeader(http.StatusNoContent)
	default:
		if props == nil {
			props = iceberg.Properties{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"namespace": ns, "properties": props})
	}
}

// dropNamespace answers DELETE /v1/{prefix}/namespaces/{ns}.
func (s *Server) dropNamespace(w http.ResponseWriter, r *http.Request) {
	s.drop(w, func() error { return s.cat.DropNamespace(r.Context(), namespace(r)) })
}

// drop runs a drop under the lock and answers 204, or the error.
func (s *Server) drop(w http.ResponseWriter, op func() error) {
	s.mu.Lock()
	err := op()
	s.mu.Unlock()
	if err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// fail answers a catalog error with its spec status and error type.
func fail(w http.ResponseWriter, err error) {
	code, typ := http.StatusInternalServerError, "ServiceFailureException"
	switch {
	case errors.Is(err, catalog.ErrNoSuchNamespace):
		code, typ = http.StatusNotFound, "NoSuchNamespaceException"
	case errors.Is(err, catalog.ErrNoSuchTable):
		code, typ = http.StatusNotFound, "NoSuchTableException"
	case errors.Is(err, catalog.ErrNamespaceAlreadyExists), errors.Is(err, catalog.ErrTableAlreadyExists):
		code, typ = http.StatusConflict, "AlreadyExistsException"
	case errors.Is(err, catalog.ErrNamespaceNotEmpty):
		code, typ = http.StatusConflict, "NamespaceNotEmptyException"
	case errors.Is(err, table.ErrCommitFailed):
		code, typ = http.StatusConflict, "CommitFailedException"
	}
	writeError(w, code, typ, err.Error())
}
