// Package daygrid plans the day windows of the API kinds that pull by date.
//
// A run asks for the days [start, end): start is the start option, or the
// saved cursor less repull_days on a resumed run; end is the end option, or
// the day after the run's date. Grid cuts the days into whole windows of a
// fixed grid of size-day windows counted from 1970-01-01 UTC, so a later
// run asks for a window identically and the files it writes replace the
// earlier ones instead of repeating their rows. Keep the size fixed for a
// lake.
//
// Which cursor a run reports differs between kinds (capped at today or
// not, the end of the requested days or of the last window), so Resolve
// returns the parts and each kind decides; Range.Later covers the common
// "never move the cursor back" rule.
package daygrid
