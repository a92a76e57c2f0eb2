package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ccetl/ccetl/pipeline"
)

// ledger is a job's memory of what its pushes sent, kept in the job state
// as one document per batch (<job>/ledger/<run id>-<seq>.json): a document
// is written pending before its batch is sent and rewritten once the
// target acknowledged it, so a run killed at any moment leaves either no
// trace of a batch it never sent or a pending mark the next plan sees.
// Documents are read in key order, later ones overriding earlier ones; an
// apply that finishes folds them into one.
type ledger struct {
	store   pipeline.StateStore
	job     string
	entries map[string]pipeline.LedgerEntry // entity + "\x00" + key
	docs    []string
	// vers are the versions of the documents this run wrote, so that
	// acknowledging a batch rewrites its pending document without reading
	// it back.
	vers map[string]string
	// later holds what this run acknowledged and dropped, in order, until
	// entries are needed (a fold): an apply need not index every record
	// it sends.
	later []ledgerOp
}

// ledgerOp is an acknowledged document to add to entries, or keys to
// drop from them.
type ledgerOp struct {
	doc    *ledgerDoc
	entity string
	drop   []string
}

// settle applies what waits in later to entries.
func (l *ledger) settle() {
	for _, op := range l.later {
		if op.doc != nil {
			op.doc.each(func(k string, e pipeline.LedgerEntry) { l.entries[op.doc.Entity+"\x00"+k] = e })
			continue
		}
		for _, k := range op.drop {
			delete(l.entries, op.entity+"\x00"+k)
		}
	}
	l.later = nil
}

// foldAt is the number of documents from which a finished apply folds
// them into one: folding rewrites every entry, so it is not done after
// every run.
const foldAt = 64

// ledgerDoc is one batch's document (or, folded, all of an entity's): the
// records' keys with their hashes and target ids in parallel lists, the
// run that sent them, and whether the batch was still unacknowledged. The
// lists keep a document of 10,000 records small and quick to write.
type ledgerDoc struct {
	Entity  string   `json:"entity"`
	RunID   string   `json:"run_id,omitempty"`
	Pending bool     `json:"pending,omitempty"`
	Keys    []string `json:"keys"`
	Hashes  []string `json:"hashes"`
	IDs     []string `json:"ids,omitempty"` // absent when no record has one
	// Runs is the run of each record, in folded documents only.
	Runs []string `json:"runs,omitempty"`
}

// add appends one record to d.
func (d *ledgerDoc) add(key string, e pipeline.LedgerEntry, folded bool) {
	if e.TargetID != "" && d.IDs == nil {
		d.IDs = make([]string, len(d.Keys), cap(d.Keys))
	}
	d.Keys = append(d.Keys, key)
	d.Hashes = append(d.Hashes, e.Hash)
	if d.IDs != nil {
		d.IDs = append(d.IDs, e.TargetID)
	}
	if folded {
		d.Runs = append(d.Runs, e.RunID)
	}
}

// check says whether d's lists agree.
func (d *ledgerDoc) check() error {
	n := len(d.Keys)
	if len(d.Hashes) != n || (d.IDs != nil && len(d.IDs) != n) || (d.Runs != nil && len(d.Runs) != n) {
		return fmt.Errorf("entity %s: %d keys but %d hashes, %d ids, %d runs", d.Entity, n, len(d.Hashes), len(d.IDs), len(d.Runs))
	}
	return nil
}

// each calls f with every record of d, checking that its lists agree.
func (d *ledgerDoc) each(f func(key string, e pipeline.LedgerEntry)) error {
	if err := d.check(); err != nil {
		return err
	}
	for i, k := range d.Keys {
		e := pipeline.LedgerEntry{Hash: d.Hashes[i], RunID: d.RunID, Pending: d.Pending}
		if d.IDs != nil {
			e.TargetID = d.IDs[i]
		}
		if d.Runs != nil {
			e.RunID = d.Runs[i]
		}
		f(k, e)
	}
	return nil
}

func ledgerPrefix(job string) string { return job + "/ledger/" }

// loadLedger reads every ledger document of job. A nil store gives an empty
// ledger (one-shot runs keep no state).
func loadLedger(ctx context.Context, store pipeline.StateStore, job string) (*ledger, error) {
	l := &ledger{store: store, job: job, entries: map[string]pipeline.LedgerEntry{}}
	if store == nil {
		return l, nil
	}
	keys, err := store.List(ctx, ledgerPrefix(job))
	if err != nil {
		return nil, fmt.Errorf("read push ledger: %w", err)
	}
	for _, k := range keys {
		data, _, err := store.Get(ctx, k)
		if errors.Is(err, pipeline.ErrStateNotFound) {
			continue // folded away by a concurrent apply
		}
		if err != nil {
			return nil, fmt.Errorf("read push ledger %s: %w", k, err)
		}
		var docs []ledgerDoc
		if err := json.Unmarshal(data, &docs); err != nil {
			return nil, fmt.Errorf("push ledger %s is damaged: %w", k, err)
		}
		for _, d := range docs {
			err := d.each(func(key string, e pipeline.LedgerEntry) { l.entries[d.Entity+"\x00"+key] = e })
			if err != nil {
				return nil, fmt.Errorf("push ledger %s is damaged: %w", k, err)
			}
		}
		l.docs = append(l.docs, k)
	}
	return l, nil
}

// Lookup implements pipeline.Ledger. It sees the ledger as loaded, not
// what this run acknowledges (the planners refuse a key given twice), so a
// streamed push plans while its acknowledgements are put.
func (l *ledger) Lookup(entity, key string) (pipeline.LedgerEntry, bool) {
	e, ok := l.entries[entity+"\x00"+key]
	return e, ok
}

// put writes one batch's document (over its pending form when this run
// wrote it). An acknowledged document's entries are also remembered for
// the fold; a pending one's matter only to the next run, which reads it.
func (l *ledger) put(ctx context.Context, name string, d ledgerDoc) error {
	if !d.Pending {
		if err := d.check(); err != nil {
			return err
		}
		l.later = append(l.later, ledgerOp{doc: &d})
	}
	if l.store == nil {
		return nil
	}
	data, err := json.Marshal([]ledgerDoc{d})
	if err != nil {
		return err
	}
	key := ledgerPrefix(l.job) + name + ".json"
	ver, ok := l.vers[key]
	if !ok {
		l.docs = append(l.docs, key)
	}
	nv, err := l.store.Put(ctx, key, data, ver)
	if err != nil {
		return fmt.Errorf("push ledger %s: %w", key, err)
	}
	if l.vers == nil {
		l.vers = map[string]string{}
	}
	l.vers[key] = nv
	return nil
}

// drop forgets keys of a batch that failed: nothing of them is on the
// target, so a later run sends them again.
func (l *ledger) drop(entity string, keys []string) {
	if len(keys) > 0 {
		l.later = append(l.later, ledgerOp{entity: entity, drop: keys})
	}
}

// fold rewrites every ledger document as one once there are foldAt or
// more, named after the run so that
// later runs' documents still sort after it, then deletes the others.
func (l *ledger) fold(ctx context.Context, runID string) error {
	if l.store == nil || len(l.docs) < foldAt {
		return nil
	}
	l.settle()
	// one document per entity for the acknowledged entries, one for those
	// still pending (a batch an earlier run was sending when it stopped)
	byEntity := map[string]*ledgerDoc{}
	for _, k := range slices.Sorted(maps.Keys(l.entries)) {
		entity, key, _ := strings.Cut(k, "\x00")
		e := l.entries[k]
		group := fmt.Sprint(entity, "\x00", e.Pending)
		d := byEntity[group]
		if d == nil {
			d = &ledgerDoc{Entity: entity, Pending: e.Pending}
			byEntity[group] = d
		}
		d.add(key, e, true)
	}
	var docs []ledgerDoc
	for _, group := range slices.Sorted(maps.Keys(byEntity)) {
		docs = append(docs, *byEntity[group])
	}
	data, err := json.Marshal(docs)
	if err != nil {
		return err
	}
	key := ledgerPrefix(l.job) + runID + "-~folded.json"
	if _, err := l.store.Put(ctx, key, data, ""); err != nil {
		return fmt.Errorf("fold push ledger: %w", err)
	}
	for _, d := range l.docs {
		if d == key {
			continue
		}
		if err := l.store.Delete(ctx, d, ""); err != nil {
			return fmt.Errorf("fold push ledger: %w", err)
		}
	}
	l.docs = []string{key}
	return nil
}
