// Package s3 reads and writes objects under an s3://bucket/prefix: a
// lake.Store for the Parquet sink (Store, registered by SinkKind), the source
// side (Glob, OpenObject, ReaderAt for ZIP archives) and a
// pipeline.StateStore for job state (StateStore).
//
// # Uploads
//
// The writer is a small multipart writer on the plain s3 client, not
// feature/s3/manager (deprecated) nor feature/s3/transfermanager (pre-1.0,
// its API may still change). The sink needs three things neither gives as
// directly: nothing visible before an explicit Commit (the managers complete
// the upload when the reader ends), a Write-based stream whose memory is
// bounded across all the objects a run has open, and an abort we control.
// The plain client does this in about 300 lines (writer.go, parts.go).
//
// An object that fits in one part is kept in memory and sent with one
// PutObject on Commit, while the closed objects so kept stay within
// Concurrency x PartSize together; past that, Close uploads it as a one-part
// multipart upload, so a run that stages thousands of small partition files
// does not hold them all. A larger object becomes a multipart upload when its
// first part is full; parts go up in the background while the caller keeps
// writing, and Commit is CompleteMultipartUpload. Memory per Store: at most
// Concurrency parts in flight, one part being filled per open object (a
// first part grows from 64 KiB, so small objects cost little) and the staged
// small objects above, so about (2 x Concurrency + open objects) x PartSize
// at worst. Any failed part, a cancelled context, or a failed Complete
// aborts the multipart upload; Abort does so even with a done context. A
// process killed mid-upload leaves parts the server keeps until
// AbortIncomplete or a bucket lifecycle rule (AbortIncompleteMultipartUpload)
// removes them; they are never a visible object.
//
// Throughput: against a local versitygw the multipart path pays for two
// things a single PutObject does not, both on the server: an internal
// CRC64NVME per part, and CompleteMultipartUpload copying every part into
// the final file. On AWS S3 completion does not copy data.
//
// Integrity: the SDK's default request checksums (CRC32 on PutObject and
// UploadPart, validated by the server) stay on. For old S3-compatible servers
// that reject them, AWS_REQUEST_CHECKSUM_CALCULATION=when_required turns them
// off.
//
// # Reads
//
// OpenObject streams an object; given the ETag from the listing it reads
// exactly that version (If-Match) or fails with ErrChanged, so a job never
// records a key+ETag as processed after reading other bytes. ReaderAt serves
// archive/zip with ranged GETs of 4 MiB blocks, keeping two, so an archive
// is never copied whole; objects past ZipMaxBytes are refused with a message
// naming the setting.
//
// # Configuration and environment
//
// Config is plain data. ConfigFromOptions builds it from a sink's options
// over the environment; ConfigFromEnv, from the environment alone (the
// standard AWS variables and CCETL_S3_*), for `ccetl convert --out s3://...`,
// which has no job file. SinkKind takes the environment as a getenv function
// from the command, which owns the process environment. Credentials are
// static keys (pipeline.Secret), a profile, or the SDK's default chain, which
// reads the environment and the shared AWS files itself: the one exception
// to "only the config loader reads the environment", since re-implementing
// the chain (SSO, web identity, container and instance roles) would be
// worse. Error messages name the object as s3://bucket/key and never carry
// credentials.
package s3
