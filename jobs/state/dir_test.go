package state_test

import (
	"testing"

	"github.com/ccetl/ccetl/jobs/state"
	"github.com/ccetl/ccetl/jobs/state/statetest"
	"github.com/ccetl/ccetl/pipeline"
)

func TestDirContract(t *testing.T) {
	statetest.Run(t, func(t *testing.T) pipeline.StateStore {
		d, err := state.OpenDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}
