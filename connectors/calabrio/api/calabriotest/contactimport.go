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
	"strings"
)

// The Bulk Contact Import (POST /api/upload/contacts): a multipart upload
// of CSV metadata and the recordings it names, checked as the reference
// says (AgentId and Recording1 columns, as many cells as the header, a
// recording part for every name, extensions of the documented media
// types, one audio file per contact). The reference documents a JSON
// answer "with per-contact and per-recording status" but not its shape: the
// emulator answers {"status":"SUCCESS","contacts":N}, and nothing of an
// invalid upload is imported. Like the real import, a contact sent again is
// imported again: ImportedContacts shows the duplicates a careless client
// makes.
const contactUploadPath = "/api/upload/contacts"

// ImportedContact is one contact the import took.
type ImportedContact struct {
	ID    int
	Cells map[string]string
	// Recordings are the sha256 of each recording, by name.
	Recordings map[string]string
}

var uploadMediaTypes = map[string]bool{".wav": true, ".webm": true, ".webma": true, ".webmv": true, ".spx": true, ".wmv": true}

// ImportedContacts returns the contacts imported so far, in order.
func (e *Emulator) ImportedContacts() []ImportedContact {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.imported)
}

func (e *Emulator) uploadContacts(r *http.Request) reply {
	parts, err := fileParts(r)
	if err != nil {
		return errorReply(http.StatusBadRequest, err.Error())
	}
	var meta [][]byte
	files := map[string]string{} // base name -> sha256
	for _, p := range parts {
		name, data := p.name, p.data
		ext := strings.ToLower(path.Ext(name))
		switch {
		case ext == ".csv":
			meta = append(meta, data)
		case uploadMediaTypes[ext]:
			if _, dup := files[name]; dup {
				return errorReply(http.StatusBadRequest, "Duplicate file name "+name)
			}
			sum := sha256.Sum256(data)
			files[name] = hex.EncodeToString(sum[:])
		default:
			return errorReply(http.StatusBadRequest, "Unsupported file type: "+name)
		}
	}
	if len(meta) == 0 {
		return errorReply(http.StatusBadRequest, "No contact metadata file")
	}
	var add []ImportedContact
	for _, m := range meta {
		rows, err := csv.NewReader(bytes.NewReader(m)).ReadAll()
		if err != nil || len(rows) == 0 {
			return errorReply(http.StatusBadRequest, "Invalid CSV: the number of columns in each row must match the number of header columns")
		}
		head := rows[0]
		if !slices.Contains(head, "AgentId") || !slices.Contains(head, "Recording1") {
			return errorReply(http.StatusBadRequest, "AgentId and Recording1 columns are required")
		}
		for i, row := range rows[1:] {
			c := ImportedContact{Cells: map[string]string{}, Recordings: map[string]string{}}
			for j, h := range head {
				c.Cells[h] = row[j]
			}
			if c.Cells["AgentId"] == "" || c.Cells["Recording1"] == "" {
				return errorReply(http.StatusBadRequest, fmt.Sprintf("Line %d: AgentId and Recording1 are required", i+2))
			}
			audio := 0
			for _, k := range []string{"Recording1", "Recording2"} {
				n := c.Cells[k]
				if n == "" {
					continue
				}
				sum, ok := files[n]
				if !ok {
					return errorReply(http.StatusBadRequest, fmt.Sprintf("Line %d: recording %s is not in the upload", i+2, n))
				}
				if ext := strings.ToLower(path.Ext(n)); ext == ".wav" || ext == ".spx" || ext == ".webma" {
					audio++
				}
				c.Recordings[n] = sum
			}
			if audio > 1 {
				return errorReply(http.StatusBadRequest, fmt.Sprintf("Line %d: only a single audio file per contact is allowed", i+2))
			}
			add = append(add, c)
		}
	}
	for _, c := range add {
		e.nextID++
		c.ID = e.nextID
		e.imported = append(e.imported, c)
	}
	return jsonReply(http.StatusOK, map[string]any{"status": "SUCCESS", "contacts": len(add)})
}
