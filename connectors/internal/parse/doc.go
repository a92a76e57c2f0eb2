// Package parse converts text cells to typed values without allocating. Its
// errors describe the problem, never the value: cells may hold personal data
// and error messages end up in logs.
package parse
