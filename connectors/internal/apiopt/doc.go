// Package apiopt reads the option values the API kinds share: request
// windows (rate_limit), whole numbers in a range (retry_budget, page sizes,
// day counts), durations, booleans and YYYY-MM-DD days.
//
// Each kind keeps its own option names, defaults, bounds and docs; this
// package only turns strings into values. Problems collects every bad
// option so a kind reports them all at once, as "kind <name>: ...". Error
// messages name the option and what it wants, never the value given
// (except rate_limit, whose value is configuration, not data).
package apiopt
