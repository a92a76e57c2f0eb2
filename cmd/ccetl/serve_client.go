package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"
)

// serveClient talks to a running `ccetl serve`: status lists its jobs,
// pause, resume and trigger act on one.
func (e *env) serveClient(ctx context.Context, verb string, args []string) error {
	fs := flag.NewFlagSet("serve "+verb, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	addr := fs.String("addr", defaultAddr, "address of the running ccetl serve")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	base := *addr
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	base = strings.TrimRight(base, "/")
	client := &http.Client{Timeout: 30 * time.Second}
	if verb == "status" {
		if len(pos) != 0 {
			return usagef("serve status: takes no job")
		}
		var views []jobView
		body, err := apiCall(ctx, client, http.MethodGet, base+"/api/jobs", &views)
		if err != nil {
			return err
		}
		if *asJSON {
			_, err := e.stdout.Write(body)
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "JOB\tSCHEDULE\tNEXT\tSTATE\tLAST RUN\tOUTCOME")
		for _, v := range views {
			state := "scheduled"
			switch {
			case v.Running > 0:
				state = "running"
			case v.Paused:
				state = "paused"
			case v.Schedule == "":
				state = "on demand"
			}
			last, outcome := "", ""
			if len(v.Recent) > 0 {
				last, outcome = v.Recent[0].RunID, v.Recent[0].Outcome
			}
			next := ""
			if !v.Next.IsZero() {
				next = v.Next.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", v.Name, v.Schedule, next, state, last, outcome)
		}
		return tw.Flush()
	}
	if len(pos) != 1 {
		return usagef("serve %s: give exactly one job name", verb)
	}
	if _, err := apiCall(ctx, client, http.MethodPost, base+"/api/jobs/"+url.PathEscape(pos[0])+"/"+verb, nil); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "job %s: %s done\n", pos[0], verb)
	return nil
}

// apiCall makes one request to the control API and decodes its answer into
// out (when not nil); an answer other than 200 is an error with the
// server's message.
func apiCall(ctx context.Context, c *http.Client, method, u string, out any) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ccetl serve at %s: %w", req.URL.Host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var ae apiError
		if json.Unmarshal(body, &ae) == nil && ae.Error != "" {
			return nil, fmt.Errorf("ccetl serve: %s", ae.Error)
		}
		return nil, fmt.Errorf("ccetl serve: %s", resp.Status)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return nil, fmt.Errorf("ccetl serve: %w", err)
		}
	}
	return body, nil
}
