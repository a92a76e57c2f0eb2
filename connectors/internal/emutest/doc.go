// Package emutest is the machinery the vendor API emulators (crestatest,
// genesystest, livevoxtest, calabriotest, maestroqatest) share: a
// sliding-window rate limiter (Windows), a queue of injected faults
// (Faults) and a connection dropped half-way through a body (DropBody).
//
// What a vendor answers stays in its emulator: status codes, error bodies,
// Retry-After and the 429 body shapes differ from vendor to vendor.
package emutest
