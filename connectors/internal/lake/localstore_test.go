package lake_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	. "github.com/ccetl/ccetl/connectors/internal/lake"
)

func TestLocalStoreStagesUntilCommit(t *testing.T) {
	dir := t.TempDir()
	s, err := NewLocalStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	w, err := s.Create(ctx, "t/a.parquet")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("hello"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if objs, _ := s.List(ctx, "t/"); len(objs) != 0 {
		t.Fatalf("visible before commit: %v", objs)
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	rc, err := s.Open(ctx, "t/a.parquet")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "hello" {
		t.Errorf("read %q", b)
	}
	if _, err := s.Open(ctx, "t/missing"); !errors.Is(err, ErrNotExist) {
		t.Errorf("missing object: %v", err)
	}
	for _, bad := range []string{"../x", "/abs", "a/../../b", ".ccetl-staging/x", ""} {
		if _, err := s.Create(ctx, bad); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
	if err := s.Delete(ctx, "t/a.parquet", "t/never"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "t")); !os.IsNotExist(err) {
		t.Errorf("empty folder left after delete")
	}
}

func TestAbandonedStagingIsRemoved(t *testing.T) {
	dir := t.TempDir()
	// a staging folder whose owner died: lock file present but not locked
	dead := filepath.Join(dir, ".ccetl-staging", "deadbeef")
	os.MkdirAll(dead, 0o755)
	os.WriteFile(filepath.Join(dead, "obj-1"), []byte("partial"), 0o644)
	os.WriteFile(dead+".lock", nil, 0o644)
	// a live one, owned by another open store
	live, err := NewLocalStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	s, err := NewLocalStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("abandoned staging folder kept")
	}
	entries, _ := os.ReadDir(filepath.Join(dir, ".ccetl-staging"))
	if len(entries) != 4 { // two live stores: folder + lock each
		t.Errorf("staging holds %d entries, want the 2 live stores' 4", len(entries))
	}
}
