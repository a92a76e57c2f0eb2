package org

import (
	"context"
	"fmt"

	"github.com/ccetl/ccetl/connectors/internal/tabular"
	"github.com/ccetl/ccetl/pipeline"
)

// GroupsKind is the org-groups file kind (table cal_group).
func GroupsKind() pipeline.Kind {
	return groups.kindOf("Calabrio groups CSV: the Bulk Organization Import upload file (exact header " +
		"id,name,activatedDate,deactivatedDate) or a groups export (localized headers)")
}

// TeamsKind is the org-teams file kind (table cal_team).
func TeamsKind() pipeline.Kind {
	return teams.kindOf("Calabrio teams CSV: the Bulk Organization Import upload file (exact header " +
		"id,name,activatedDate,deactivatedDate,parentGroupId,productivityCompilation) or a teams export (localized headers)")
}

// PersonsKind is the org-persons file kind (table cal_person).
func PersonsKind() pipeline.Kind {
	return persons.kindOf("Calabrio persons CSV: the Bulk Organization Import upload file (documented columns, " +
		"any case) or a persons export (localized headers)")
}

func (s *spec) kindOf(doc string) pipeline.Kind {
	return pipeline.Kind{Name: s.kind, Doc: doc, Tables: []pipeline.Table{s.table}, Options: s.optionDocs(), Open: s.open}
}

func (s *spec) open(_ context.Context, cfg pipeline.SourceConfig) (pipeline.OpenedSource, error) {
	o, err := s.parseOptions(cfg.Options)
	if err != nil {
		return pipeline.OpenedSource{}, fmt.Errorf("kind %s: %w", s.kind, err)
	}
	return tabular.OpenKind(cfg, []pipeline.Table{s.table}, tabular.IsCSV, s.layout(o))
}
