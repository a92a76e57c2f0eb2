package lakecheck

import (
	"errors"
	"os"

	"github.com/xitongsys/parquet-go/source"
)

// file is a read-only source.ParquetFile over an os.File.
type file struct{ *os.File }

func openFile(path string) (source.ParquetFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return file{f}, nil
}

func (f file) Open(name string) (source.ParquetFile, error) {
	if name == "" {
		name = f.Name()
	}
	return openFile(name)
}

func (f file) Create(string) (source.ParquetFile, error) {
	return nil, errors.New("lakecheck: read-only")
}
