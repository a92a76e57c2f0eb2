// Package tabular is the shared loop of every CSV file kind: it reads the
// header, lets the kind choose a layout for it, checks that every row has as
// many fields as the header ("the number of columns in each row must match
// the number of header columns"), hands each row to the layout, and turns
// problems into rejects with file:line. Kinds only say what a header means
// and how a row maps to typed columns.
package tabular
