// Package historicalimport is the calabrio-historical-import push target:
// historical ACD service intervals (the WHIT/GIS service columns) into
// Calabrio WFM, through the WHIT upload (POST /api/upload/historicalData
// with acdServerId and timeZone) or the GIS polling upload (POST
// /api/rest/scheduling/agentStateHistorical/polling with acdServerId, the
// Service file only: the Agent file's layout is not in the reference).
//
// Dates always go out as YYYY-MM-DD and periods as zero-padded 24-hour
// HH:MM: the API cannot tell MM/DD/YYYY from DD/MM/YYYY, so ccetl never
// sends either. Uploads are cut per day (batch: day, the default) or per
// batch_rows rows; each carries the documented columns some row of it has.
//
// The API cannot be read back, so every interval's change is a send; its
// key is service number, date and period, and the job's ledger remembers
// the content hash of every interval acknowledged: a second push of the
// same intervals sends nothing (skipped), a changed interval is sent
// again. An interval sent again replaces itself on the tenant (an import of
// the same period is a correction; the reference is silent), so a batch
// that was in flight when a run stopped is sent again, and uploads are
// retried like reads. The upload's answer holds no per-row result: its rows
// are "sent", never "created".
package historicalimport
