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
//
// ZIP bombs are refused by Limits from the archives' central directories,
// before any member is decompressed or anything written: a member's
// uncompressed size (max_member_bytes, 2 GiB), all members of the upload
// together (max_zip_bytes, 20 GiB), a member's compression ratio and an
// archive's, its members' declared sizes over its real size, which catches
// many small members and overlapping members alike (max_zip_ratio, 200:1
// from 1 MiB), the number of members (max_zip_entries, 100,000) and the
// nesting of ZIPs (max_zip_depth, 1). Calabrio documents no byte or count
// limit for /api/upload/contacts or /api/upload/textcontacts (SPEC 6.6-6.8),
// so those defaults are sized on real recordings and text (see Limits); the
// depth is what the uploads document, ZIPs that compress the upload's files
// ("ZIP files can only be used to compress the files", SPEC 6.8). Declared
// sizes can lie, so each member is also held to its declared size as it is
// read: a member that inflates further fails as forged, and nothing past
// what the limits admitted is ever decompressed. Inner ZIPs a larger depth
// admits are read in place when stored, or inflated into a temporary file
// that is removed when the set closes.
package inputs
