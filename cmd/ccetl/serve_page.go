package main

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/ccetl/ccetl/jobs"
)

// The status page is rendered on the server from these templates: no
// script, no asset from anywhere else.
var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	},
	"secs": func(f float64) string {
		return time.Duration(f * float64(time.Second)).Round(100 * time.Millisecond).String()
	},
	"chart": chart,
	"index0": func(rs []jobs.RunReport) *jobs.RunReport {
		if len(rs) == 0 {
			return nil
		}
		return &rs[0]
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<meta http-equiv="refresh" content="30">
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok,.rejected{color:#17652b}.failed{color:#b00020;font-weight:bold}.cancelled,.skipped,.missed{color:#8a5a00}
h2{margin-top:1.5em}.muted{color:#777}pre{background:#f6f6f6;padding:1em;overflow:auto}
</style></head><body>
{{define "outcome"}}<span class="outcome {{.}}">{{.}}</span>{{end}}
{{if .Run}}
<h1>Run {{.Run.RunID}}</h1>
<p><a href="/">all jobs</a></p>
<table>
<tr><th>job</th><td>{{.Run.Job}}</td></tr>
<tr><th>trigger</th><td>{{.Run.Trigger}}</td></tr>
<tr><th>outcome</th><td id="outcome">{{template "outcome" .Run.Outcome}}</td></tr>
<tr><th>started</th><td>{{when .Run.Started}}</td></tr>
<tr><th>duration</th><td>{{secs .Run.Seconds}}</td></tr>
{{if .Run.Error}}<tr><th>error</th><td class="failed">{{.Run.Error}}</td></tr>{{end}}
{{if .Run.Reason}}<tr><th>reason</th><td>{{.Run.Reason}}</td></tr>{{end}}
</table>
<table><tr><th>table</th><th>rows in</th><th>out</th><th>rejected</th><th>merged</th></tr>
{{range $name, $t := .Run.Tables}}<tr><td>{{$name}}</td><td class="n">{{$t.RowsIn}}</td><td class="n">{{$t.RowsOut}}</td><td class="n">{{$t.RowsRejected}}</td><td class="n">{{$t.RowsMerged}}</td></tr>{{end}}
</table>
<h2>Report</h2><pre>{{.JSON}}</pre>
{{else}}
<h1>ccetl serve</h1>
<p class="muted">{{len .Jobs}} jobs; page made {{when .Now}}.</p>
{{range .Invalid}}<p class="failed">invalid job file: {{.}}</p>{{end}}
<table id="jobs"><tr><th>job</th><th>sources</th><th>schedule</th><th>next run</th><th>state</th><th>last run</th></tr>
{{range .Jobs}}<tr class="job" data-job="{{.Name}}"><td><a href="#job-{{.Name}}">{{.Name}}</a></td><td>{{range .Kinds}}{{.}} {{end}}{{if .Target}}&rarr; {{.Target}}{{end}}</td>
<td>{{.Schedule}}{{if .TimeZone}} ({{.TimeZone}}){{end}}</td><td>{{when .Next}}</td>
<td>{{if gt .Running 0}}running{{else if .Paused}}paused{{else}}idle{{end}}</td>
<td>{{with index0 .Recent}}{{template "outcome" .Outcome}} {{when .Started}}{{else}}-{{end}}</td></tr>
{{end}}</table>
{{range .Jobs}}
<h2 id="job-{{.Name}}">{{.Name}}</h2>
<p class="muted">{{.File}}</p>
{{if .Recent}}{{chart .Recent}}
<table class="runs"><tr><th>run</th><th>trigger</th><th>started</th><th>duration</th><th>outcome</th><th>rows in</th><th>out</th><th>rejected</th><th>files</th><th>requests</th><th>error</th></tr>
{{range .Recent}}<tr class="run" data-outcome="{{.Outcome}}"><td><a href="/runs/{{.RunID}}">{{.RunID}}</a></td><td>{{.Trigger}}</td><td>{{when .Started}}</td><td>{{secs .Seconds}}</td>
<td>{{template "outcome" .Outcome}}</td><td class="n">{{.RowsIn}}</td><td class="n">{{.RowsOut}}</td><td class="n">{{.RowsRejected}}</td><td class="n">{{.Files}}</td><td class="n">{{.Requests}}</td><td>{{.Error}}{{.Reason}}</td></tr>
{{end}}</table>{{else}}<p class="muted">no runs since the server started</p>{{end}}
{{end}}
{{end}}
</body></html>`))

type pageData struct {
	Title   string
	Now     time.Time
	Jobs    []jobView
	Invalid []string
	Run     *jobs.RunReport
	JSON    string
}

func (s *server) statusPage(w http.ResponseWriter, _ *http.Request) {
	d := pageData{Title: "ccetl serve", Now: time.Now(), Jobs: s.views()}
	for f, msg := range s.badFiles() {
		d.Invalid = append(d.Invalid, f+": "+msg)
	}
	render(w, d)
}

func (s *server) runPage(w http.ResponseWriter, r *http.Request) {
	rep, ok := s.findRun(r, r.PathValue("id"))
	if !ok {
		http.Error(w, "no such run", http.StatusNotFound)
		return
	}
	data, _ := json.MarshalIndent(rep, "", "  ")
	render(w, pageData{Title: "run " + rep.RunID, Now: time.Now(), Run: &rep, JSON: string(data)})
}

func render(w http.ResponseWriter, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	if err := pageTmpl.Execute(w, d); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// chart draws rows written per run, oldest on the left, as inline SVG;
// failed runs are red.
func chart(runs []jobs.RunReport) template.HTML {
	const w, h, bar = 400, 60, 18
	var most int64 = 1
	for _, r := range runs {
		most = max(most, r.RowsOut)
	}
	var b []byte
	b = append(b, `<svg class="chart" width="400" height="60" role="img" aria-label="rows written per run">`...)
	for i := range runs {
		r := runs[len(runs)-1-i]
		x := i * (bar + 2)
		if x+bar > w {
			break
		}
		bh := int(float64(r.RowsOut) / float64(most) * (h - 2))
		color := "#2f7d46"
		if r.Outcome == jobs.OutcomeFailed {
			color, bh = "#b00020", h-2
		}
		b = append(b, (`<rect x="` + strconv.Itoa(x) + `" y="` + strconv.Itoa(h-bh) + `" width="` + strconv.Itoa(bar) + `" height="` + strconv.Itoa(bh) + `" fill="` + color + `"><title>` +
			template.HTMLEscapeString(r.RunID+": "+r.Outcome+", "+strconv.FormatInt(r.RowsOut, 10)+" rows") + `</title></rect>`)...)
	}
	b = append(b, `</svg>`...)
	return template.HTML(b)
}
