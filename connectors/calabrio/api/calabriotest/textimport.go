package calabriotest

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
)

// The Generic Text Import with Multiple Files (POST
// /api/upload/textcontacts/): contact data CSVs and the TXT files they name
// ("CSV and JSON files can only be used for contact data ... Content files
// cannot use CSV, JSON, or ZIP"). textType, filename, time and username are
// required; a contact whose id was used before is skipped, as the reference
// says. The answer's shape is not documented: {"status":"SUCCESS",
// "imported":N,"skipped":M}.
const textUploadPath = "/api/upload/textcontacts/"

// ImportedText is one text contact the import took.
type ImportedText struct {
	ID    int
	Cells map[string]string
	// BodySHA256 is the sha256 of its TXT body.
	BodySHA256 string
}

var textTypes = []string{"chat", "email", "facebook", "other", "website"}

// ImportedTexts returns the text contacts imported so far, in order.
func (e *Emulator) ImportedTexts() []ImportedText {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.texts)
}

func (e *Emulator) uploadTexts(r *http.Request) reply {
	parts, err := fileParts(r)
	if err != nil {
		return errorReply(http.StatusBadRequest, err.Error())
	}
	var data [][]byte
	bodies := map[string]string{}
	for _, p := range parts {
		name, b := p.name, p.data
		switch strings.ToLower(path.Ext(name)) {
		case ".csv":
			data = append(data, b)
		case ".txt":
			sum := sha256.Sum256(b)
			bodies[name] = hex.EncodeToString(sum[:])
		default:
			return errorReply(http.StatusBadRequest, "Content files must be TXT: "+name)
		}
	}
	if len(data) == 0 {
		return errorReply(http.StatusBadRequest, "No contact data file")
	}
	var add []ImportedText
	skipped := 0
	ids := map[string]bool{}
	for _, t := range e.texts {
		if id := t.Cells["id"]; id != "" {
			ids[t.Cells["textType"]+"|"+id] = true
		}
	}
	for _, d := range data {
		rows, err := csv.NewReader(bytes.NewReader(d)).ReadAll()
		if err != nil || len(rows) == 0 {
			return errorReply(http.StatusBadRequest, "Invalid CSV: the number of columns in each row must match the number of header columns")
		}
		for i, row := range rows[1:] {
			c := ImportedText{Cells: map[string]string{}}
			for j, h := range rows[0] {
				c.Cells[h] = row[j]
			}
			line := i + 2
			for _, k := range []string{"textType", "filename", "time", "username"} {
				if c.Cells[k] == "" {
					return errorReply(http.StatusBadRequest, fmt.Sprintf("Line %d: %s is required", line, k))
				}
			}
			if !slices.Contains(textTypes, strings.ToLower(c.Cells["textType"])) {
				return errorReply(http.StatusBadRequest, fmt.Sprintf("Line %d: unknown textType", line))
			}
			if _, err := strconv.ParseInt(c.Cells["time"], 10, 64); err != nil {
				return errorReply(http.StatusBadRequest, fmt.Sprintf("Line %d: time must be epoch milliseconds", line))
			}
			sum, ok := bodies[c.Cells["filename"]]
			if !ok {
				return errorReply(http.StatusBadRequest, fmt.Sprintf("Line %d: file %s is not in the upload", line, c.Cells["filename"]))
			}
			c.BodySHA256 = sum
			if id := c.Cells["id"]; id != "" {
				if ids[c.Cells["textType"]+"|"+id] {
					skipped++
					continue
				}
				ids[c.Cells["textType"]+"|"+id] = true
			}
			add = append(add, c)
		}
	}
	for _, c := range add {
		e.nextID++
		c.ID = e.nextID
		e.texts = append(e.texts, c)
	}
	return jsonReply(http.StatusOK, map[string]any{"status": "SUCCESS", "imported": len(add), "skipped": skipped})
}
