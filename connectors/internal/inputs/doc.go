// Package inputs resolves the paths a user names into the files a decoder
// reads: folders are walked in name order, ZIP archives are opened and their
// members flattened to base names the way the Calabrio upload APIs do, and
// every top-level input is hashed while it is read so manifests can record
// its sha256.
//
// A ZIP member never becomes a path on disk: only its base name is used, as
// a key, so no entry can escape an output directory. Archives holding two
// members with the same base name are refused, since the vendor APIs would
// not know which one a row references.
package inputs
