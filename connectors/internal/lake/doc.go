// Package lake writes a Parquet lake into a Store (a local directory or an
// S3 prefix) and checks one (Check). Its layout:
//
//	<table>/<partition>/part-<input key>-<seq>.parquet   data files
//	_manifests/<table>/<run key>.json                    one manifest per table per run key
//	_rejects/<table>/<run key>[.<n>].jsonl               rejected rows
//	media/<run key>/...                                  recordings, transcripts
//
// # Manifests describe exactly the visible files
//
// Data file names derive from the input (or the group of inputs a source
// reads as one, pipeline.Batch.Group), so a rerun of an input writes the
// same names again. Every manifest lists exactly the visible data files
// that belong to it: when a run writes a file again or deletes a file that
// an earlier run's manifest lists, that manifest is rewritten without it
// (whole, atomically), or deleted when it is left with no file and no
// rejects. Rerunning a subset of an earlier run's inputs therefore leaves
// the earlier manifest listing the other inputs' files only. A rerun under
// the same run key keeps listing what the earlier run under that key
// listed and it neither wrote again nor deleted: data files of other
// inputs, and rejects segments until its Close deletes them.
//
// # Commit order
//
// A commit (Close, or a Checkpoint of the inputs finished so far) goes:
//
//  0. at the run's first commit, the manifests under its run key are read
//     (a damaged one stops the commit before anything is visible);
//  1. data and media files become visible, each atomically (a rename, or
//     the completion of an S3 upload); a file of the same name is replaced;
//  2. rejects files become visible;
//  3. the table folders are listed: the stale files are the files of this
//     run's inputs it did not write again (at Close also this run key's
//     rejects segments and media it no longer has);
//  4. this run key's manifest of each table is written;
//  5. every other manifest of the tables is rewritten without the files
//     this run wrote or is about to delete, or deleted when left empty;
//  6. the stale files are deleted.
//
// Nothing is deleted before every manifest stopped listing it, so a
// manifest never names a missing file. A crash between the steps leaves a
// state Check reports and the next run of the same inputs repairs (a job
// does not record a crashed run's inputs as done, so its next run is that
// run):
//
//   - during 1-3: files written again hold the new rows while the earlier
//     manifest still describes the old ones (rows, size), and new file names
//     are listed nowhere;
//   - during 4-5: a file written again is listed by this run's manifest and
//     by an earlier one;
//   - during 6: stale files are visible and listed nowhere.
//
// The next run writes the same names, lists them, takes them out of the
// other manifests and deletes what it did not write again, whichever step
// the crash interrupted. Staged objects never become visible: a local
// store sweeps abandoned staging folders, an S3 upload that was never
// completed is not an object.
package lake
