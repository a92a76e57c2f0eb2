package whit

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/connectors/internal/parse"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/connectors/internal/tabular"
	"github.com/ccetl/ccetl/pipeline"
)

// Options of the whit kind.
type Options struct {
	DateOrder parse.DateOrder
	Location  *time.Location
}

// OptionDocs documents the kind's options.
var OptionDocs = []pipeline.Option{
	{Name: "date_order", Default: "mdy", Doc: "how to read slash dates with the year last: mdy (MM/DD/YYYY) or dmy (DD/MM/YYYY)"},
	{Name: "time_zone", Default: "UTC", Doc: "zone of date+period when computing interval_start: UTC or an IANA zone such as America/Chicago (the tenant zone)"},
}

// ParseOptions reads the kind's options, reporting every problem.
func ParseOptions(m map[string]string) (Options, error) {
	var o Options
	var errs []error
	var err error
	if o.DateOrder, err = parse.ParseDateOrder(m["date_order"]); err != nil {
		errs = append(errs, err)
	}
	tz := m["time_zone"]
	if tz == "" || strings.EqualFold(tz, "UTC") {
		o.Location = time.UTC
	} else if o.Location, err = time.LoadLocation(tz); err != nil {
		errs = append(errs, fmt.Errorf("time_zone %q: unknown zone", tz))
	}
	return o, errors.Join(errs...)
}

const maxServiceName = 255

var (
	errRequired = errors.New("required value is empty")
	errPercent  = errors.New("must be an integer from 0 to 100")
)

// Layout returns the tabular layout for a WHIT file with this header.
func Layout(o Options) tabular.Open {
	return func(_ inputs.File, header [][]byte) (tabular.Layout, error) {
		h, err := tabular.MatchHeader(header, columns)
		if err != nil {
			return tabular.Layout{}, err
		}
		d := &decoder{h: h, o: o}
		return tabular.Layout{Table: Table, Row: d.row}, nil
	}
}

type decoder struct {
	h tabular.Header
	o Options
	// period text cache: "HH:MM" for each minute of the day.
	periods [24 * 60][]byte
}

func (d *decoder) row(f [][]byte, b *rowbuild.Builder) error {
	v, ok := d.h.Field(f, hServiceNumber)
	if !ok {
		return tabular.Errf("serviceNumber", errRequired)
	}
	n, err := parse.Int(v)
	if err != nil {
		return tabular.Errf("serviceNumber", err)
	}
	b.SetInt(cServiceNumber, n)

	if v, ok = d.h.Field(f, hServiceName); !ok {
		return tabular.Errf("serviceName", errRequired)
	}
	if err := parse.MaxChars(v, maxServiceName); err != nil {
		return tabular.Errf("serviceName", err)
	}
	b.SetBytes(cServiceName, v)

	if v, ok = d.h.Field(f, hDate); !ok {
		return tabular.Errf("date", errRequired)
	}
	day, err := parse.Date(v, d.o.DateOrder)
	if err != nil {
		return tabular.Errf("date", err)
	}
	b.SetDate(cDate, day)

	if v, ok = d.h.Field(f, hPeriod); !ok {
		return tabular.Errf("period", errRequired)
	}
	mins, err := parse.ClockMinutes(v)
	if err != nil {
		return tabular.Errf("period", err)
	}
	if d.periods[mins] == nil {
		d.periods[mins] = fmt.Appendf(nil, "%02d:%02d", mins/60, mins%60)
	}
	b.SetBytes(cPeriod, d.periods[mins])
	b.SetTimestamp(cIntervalStart, d.start(day, mins))

	for _, c := range [...]struct {
		h, col   int
		required bool
	}{{hReceived, cReceived, true}, {hHandled, cHandled, true}, {hAbandoned, cAbandoned, false},
		{hTransferred, cTransferred, false}, {hContactsInQueue, cContactsInQueue, false}, {hQtyOfAgents, cQtyOfAgents, false}} {
		v, ok := d.h.Field(f, c.h)
		if !ok {
			if c.required {
				return tabular.Errf(columns[c.h].Name, errRequired)
			}
			if c.h == hAbandoned { // "Default 0"
				b.SetInt(c.col, 0)
			}
			continue
		}
		n, err := parse.Count(v)
		if err != nil {
			return tabular.Errf(columns[c.h].Name, err)
		}
		b.SetInt(c.col, n)
	}
	for _, c := range [...]struct {
		h, col   int
		required bool
	}{{hAvgTalk, cAvgTalk, true}, {hAvgACW, cAvgACW, true}, {hASA, cASA, false}} {
		v, ok := d.h.Field(f, c.h)
		if !ok {
			if c.required {
				return tabular.Errf(columns[c.h].Name, errRequired)
			}
			continue
		}
		x, err := parse.Float(v)
		if err != nil {
			return tabular.Errf(columns[c.h].Name, err)
		}
		if x < 0 {
			return tabular.Errf(columns[c.h].Name, parse.ErrNegative)
		}
		b.SetFloat(c.col, x)
	}
	for _, c := range [...]struct{ h, col int }{{hServiceLevel, cServiceLevel}, {hOccupancy, cOccupancy}} {
		v, ok := d.h.Field(f, c.h)
		if !ok {
			continue
		}
		n, err := parse.Count(v)
		if err != nil || n > 100 {
			return tabular.Errf(columns[c.h].Name, errPercent)
		}
		b.SetInt(c.col, n)
	}
	return nil
}

// start returns the interval start in epoch ms: local date and period in the
// configured zone.
func (d *decoder) start(day int32, mins int) int64 {
	if d.o.Location == time.UTC {
		return (int64(day)*1440 + int64(mins)) * 60000
	}
	t := time.Unix(int64(day)*86400, 0).UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), mins/60, mins%60, 0, 0, d.o.Location).UnixMilli()
}
