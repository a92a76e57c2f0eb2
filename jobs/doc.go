// Package jobs reads job files and runs them. A job file names one or more
// sources (a kind and its inputs or API settings), optional transforms, one
// sink, and run options (batch bounds, reject limits, an optional cron
// schedule). Values may use ${VAR} and ${VAR:default}; every missing variable
// is reported at once with its file:line:col. Any option may also be given as
// NAME_file, a path whose content is the value, which is how secrets are kept
// out of job files. This package is the only one that reads the environment.
//
// jobs gets the filled registry from cmd and never imports a concrete
// connector.
package jobs
