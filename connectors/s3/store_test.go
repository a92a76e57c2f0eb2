package s3

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/lake"
)

// storeContract checks the lake.Store contract on an empty store. It uses
// only the interface, so the local store could run it too.
func storeContract(t *testing.T, st lake.Store, big int64) {
	ctx := context.Background()
	notVisible := func(key string) {
		t.Helper()
		if _, err := st.Open(ctx, key); !errors.Is(err, lake.ErrNotExist) {
			t.Fatalf("open %s: got %v, want lake.ErrNotExist", key, err)
		}
	}
	write := func(key string, seed uint64, n int64) lake.ObjectWriter {
		t.Helper()
		w, err := st.Create(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if w.Key() != key {
			t.Fatalf("Key() = %q, want %q", w.Key(), key)
		}
		if _, err := io.Copy(w, data(seed, n)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return w
	}
	read := func(key string) string {
		t.Helper()
		r, err := st.Open(ctx, key)
		if err != nil {
			t.Fatalf("open %s: %v", key, err)
		}
		defer r.Close()
		return sum(r)
	}

	for _, tc := range []struct {
		name string
		size int64
	}{{"empty", 0}, {"small", 1000}, {"big", big}} {
		t.Run("commit makes visible/"+tc.name, func(t *testing.T) {
			key := "visible/" + tc.name + ".bin"
			w := write(key, 1, tc.size)
			notVisible(key)
			if err := w.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if got, want := read(key), sum(data(1, tc.size)); got != want {
				t.Fatalf("content differs")
			}
			infos, err := st.List(ctx, key)
			if err != nil || len(infos) != 1 || infos[0].Size != tc.size || infos[0].ETag == "" {
				t.Fatalf("List(%s) = %+v, %v; want one object of %d bytes with an ETag", key, infos, err, tc.size)
			}
			if err := w.Abort(ctx); err != nil {
				t.Fatalf("abort after commit: %v", err)
			}
			if read(key) == "" {
				t.Fatal("abort after commit removed the object")
			}
		})
	}

	t.Run("abort leaves nothing", func(t *testing.T) {
		for _, n := range []int64{10, big} {
			w := write("aborted.bin", 2, n)
			for range 2 {
				if err := w.Abort(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Commit(ctx); err == nil {
				t.Fatal("commit after abort succeeded")
			}
			notVisible("aborted.bin")
		}
		w, err := st.Create(ctx, "unclosed.bin")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, data(3, big)); err != nil {
			t.Fatal(err)
		}
		if err := w.Commit(ctx); err == nil {
			t.Fatal("commit before close succeeded")
		}
		if err := w.Abort(ctx); err != nil {
			t.Fatal(err)
		}
		notVisible("unclosed.bin")
	})

	t.Run("commit replaces", func(t *testing.T) {
		key := "replace.bin"
		old := write(key, 4, big)
		if err := old.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		next := write(key, 5, 100)
		if got := read(key); got != sum(data(4, big)) {
			t.Fatal("old object changed before the new commit")
		}
		if err := next.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got := read(key); got != sum(data(5, 100)) {
			t.Fatal("commit did not replace the object")
		}
	})

	t.Run("list order and delete", func(t *testing.T) {
		names := []string{"l/b/2.parquet", "l/a.parquet", "l/b/1.parquet", "l/c", "lx"}
		for i, k := range names {
			if err := write(k, uint64(i), 10).Commit(ctx); err != nil {
				t.Fatal(err)
			}
		}
		got := listKeys(t, st, "l/")
		want := []string{"l/a.parquet", "l/b/1.parquet", "l/b/2.parquet", "l/c"}
		if !slices.Equal(got, want) {
			t.Fatalf("List(l/) = %v, want %v", got, want)
		}
		if err := st.Delete(ctx, "l/a.parquet", "l/b/2.parquet", "l/missing"); err != nil {
			t.Fatal(err)
		}
		if err := st.Delete(ctx); err != nil {
			t.Fatal(err)
		}
		all := listKeys(t, st, "")
		for _, k := range []string{"l/a.parquet", "l/b/2.parquet"} {
			if slices.Contains(all, k) {
				t.Fatalf("%s still listed after Delete: %v", k, all)
			}
		}
		if !slices.Contains(all, "l/b/1.parquet") || !slices.Contains(all, "lx") {
			t.Fatalf("Delete removed too much: %v", all)
		}
	})

	if !strings.Contains(st.URL(), "/") {
		t.Errorf("URL() = %q", st.URL())
	}
}

func TestStoreContract(t *testing.T) {
	cfg := testConfig(t)
	cfg.PartSize = MinPartSize
	s := newTestStore(t, cfg)
	storeContract(t, s, 2*MinPartSize+123)
	if u := uploads(t, cfg); len(u) != 0 {
		t.Fatalf("multipart uploads left behind: %v", u)
	}
	if want := "s3://" + cfg.Bucket + "/" + cfg.Prefix; s.URL() != want {
		t.Fatalf("URL() = %q, want %q", s.URL(), want)
	}
}
