package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// generate writes rows of WHIT CSV: 200 service queues x 48 half-hour
// periods a day, days in order from 2024-01-01, values varying
// deterministically. It returns the file size.
func generate(path string, rows int64) (int64, error) {
	const services, periods = 200, 48
	day0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	header := "serviceNumber,serviceName,date,period,receivedCalls,handledCalls,abandonedCalls,avgTalkTime,avgACWTime,ASA,serviceLevel,occupancyRatio,qtyOfAgents,contactsInQueue,transferredCalls"
	return writeLines(path, header, rows, func(buf []byte, i int64) []byte {
		svc := i % services
		per := (i / services) % periods
		day := day0.AddDate(0, 0, int(i/(services*periods)))
		recv := 20 + (i*7)%80
		aband := (i * 3) % 5
		buf = strconv.AppendInt(buf, 1000+svc, 10)
		buf = append(buf, ",Service queue "...)
		buf = strconv.AppendInt(buf, svc, 10)
		buf = append(buf, ',')
		buf = day.AppendFormat(buf, "2006-01-02")
		buf = fmt.Appendf(buf, ",%02d:%02d,", per/2, (per%2)*30)
		buf = strconv.AppendInt(buf, recv, 10)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, recv-aband, 10)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, aband, 10)
		buf = fmt.Appendf(buf, ",%d.%d,%d.%d,%d,%d,%d,%d,%d,%d\n", 180+i%240, i%10, 20+i%40, i%10, i%60, 60+i%41, 40+i%61, 5+i%20, i%9, i%4)
		return buf
	})
}

// contactsPerDay spaces the generated contacts' start times: 1,000,000
// contacts cover 100 days.
const contactsPerDay = 10_000

// recordings is how many audio and how many screen files the generated
// bulk contact upload holds; contacts name them in turn.
const recordings = 100

// contactsHeader is the bulk contact import CSV the generator writes: the
// documented columns and two custom fields.
const contactsHeader = "AgentId,ContactStartTimeMs,TimeZone,AssocCallId,CallId,CalledAddress,CallingAddress,Line,Direction,Recording1,Recording2,Recording2Offset,metadata.accountNumber,metadata.queue"

// generateContacts writes rows of Calabrio bulk contact import CSV to path
// and the recordings they name into media (audio rec-NNN.wav for every
// contact, screen scr-NNN.webm for one in three), so that every row is a
// contact the bulk-contact kind accepts. Start times run from 2024-01-01
// UTC, contactsPerDay a day; agent ids take the three documented forms; one
// row in ten lacks the account number and one in fifty has no custom field.
// It returns the CSV's size.
func generateContacts(path, media string, rows int64) (int64, error) {
	if err := os.MkdirAll(media, 0o755); err != nil {
		return 0, err
	}
	for i := range recordings {
		if err := os.WriteFile(filepath.Join(media, fmt.Sprintf("rec-%03d.wav", i)), fakeMedia("RIFF", i, 4096), 0o644); err != nil {
			return 0, err
		}
		if err := os.WriteFile(filepath.Join(media, fmt.Sprintf("scr-%03d.webm", i)), fakeMedia("\x1a\x45\xdf\xa3", i, 8192), 0o644); err != nil {
			return 0, err
		}
	}
	zones := [...]string{"America/Chicago", "America/New_York", "Europe/London", "UTC"}
	queues := [...]string{"Sales", "Support", "Billing", "Retention", "Collections"}
	const msPerContact = 86_400_000 / contactsPerDay
	start0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	return writeLines(path, contactsHeader, rows, func(buf []byte, i int64) []byte {
		agent := i % 250
		switch i % 3 {
		case 0:
			buf = strconv.AppendInt(buf, 470000+agent, 10)
		case 1:
			buf = fmt.Appendf(buf, "agent%d@example.com", agent)
		default:
			buf = fmt.Appendf(buf, `CORP\agent%d`, agent)
		}
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, start0+i*msPerContact+(i*7919)%msPerContact, 10)
		buf = append(buf, ',')
		buf = append(buf, zones[i%int64(len(zones))]...)
		buf = fmt.Appendf(buf, ",1035856647932%05d,C%09d,%d,+1312555%04d,%d,%d,rec-%03d.wav,", i%100000, i, 1800+i%50, i%10000, 1800+i%50, i%2, i%recordings)
		if i%3 == 0 {
			buf = fmt.Appendf(buf, "scr-%03d.webm,%d", i%recordings, (i%60)*1000)
		} else {
			buf = append(buf, ',')
		}
		buf = append(buf, ',')
		if i%50 != 0 {
			if i%10 != 0 {
				buf = fmt.Appendf(buf, "%010d", (i*104729)%10_000_000_000)
			}
			buf = append(buf, ',')
			buf = append(buf, queues[i%int64(len(queues))]...)
		} else {
			buf = append(buf, ',')
		}
		buf = append(buf, '\n')
		return buf
	})
}

// writeLines writes a CSV file of the header and rows lines, each made by
// line (appending to the emptied buffer it is given), and returns its size.
func writeLines(path, header string, rows int64, line func(buf []byte, i int64) []byte) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, header)
	var buf []byte
	for i := range rows {
		buf = line(buf[:0], i)
		if _, err := w.Write(buf); err != nil {
			f.Close()
			return 0, err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	st, err := f.Stat()
	f.Close()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// fakeMedia is n bytes starting with magic, different for each seed; the
// kind checks recordings' names, not their content.
func fakeMedia(magic string, seed, n int) []byte {
	b := make([]byte, n)
	copy(b, magic)
	x := uint32(seed)*2654435761 + 1
	for i := len(magic); i < n; i++ {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}
