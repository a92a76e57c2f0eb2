package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
}

type ledgerDoc struct {
	Entity  string                          `json:"entity"`
	Entries map[string]pipeline.LedgerEntry `json:"entries"`
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
			for key, e := range d.Entries {
				l.entries[d.Entity+"\x00"+key] = e
			}
		}
		l.docs = append(l.docs, k)
	}
	return l, nil
}

// Lookup implements pipeline.Ledger.
func (l *ledger) Lookup(entity, key string) (pipeline.LedgerEntry, bool) {
	e, ok := l.entries[entity+"\x00"+key]
	return e, ok
}

// put writes one batch's document (over its pending form when it exists).
func (l *ledger) put(ctx context.Context, name string, d ledgerDoc) error {
	for k, e := range d.Entries {
		l.entries[d.Entity+"\x00"+k] = e
	}
	if l.store == nil {
		return nil
	}
	data, err := json.Marshal([]ledgerDoc{d})
	if err != nil {
		return err
	}
	key := ledgerPrefix(l.job) + name + ".json"
	_, ver, err := l.store.Get(ctx, key)
	switch {
	case errors.Is(err, pipeline.ErrStateNotFound):
		ver = ""
		l.docs = append(l.docs, key)
	case err != nil:
		return fmt.Errorf("push ledger %s: %w", key, err)
	}
	if _, err := l.store.Put(ctx, key, data, ver); err != nil {
		return fmt.Errorf("push ledger %s: %w", key, err)
	}
	return nil
}

// drop forgets keys of a batch that failed: nothing of them is on the
// target, so a later run sends them again.
func (l *ledger) drop(entity string, keys []string) {
	for _, k := range keys {
		delete(l.entries, entity+"\x00"+k)
	}
}

// fold rewrites every ledger document as one, named after the run so that
// later runs' documents still sort after it, then deletes the others.
func (l *ledger) fold(ctx context.Context, runID string) error {
	if l.store == nil || len(l.docs) < 2 {
		return nil
	}
	byEntity := map[string]map[string]pipeline.LedgerEntry{}
	for k, e := range l.entries {
		entity, key, _ := strings.Cut(k, "\x00")
		if byEntity[entity] == nil {
			byEntity[entity] = map[string]pipeline.LedgerEntry{}
		}
		byEntity[entity][key] = e
	}
	var docs []ledgerDoc
	for entity, entries := range byEntity {
		docs = append(docs, ledgerDoc{Entity: entity, Entries: entries})
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
