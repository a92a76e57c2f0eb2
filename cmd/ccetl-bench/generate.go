package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"time"
)

// generate writes rows of WHIT CSV: 200 service queues x 48 half-hour
// periods a day, days in order from 2024-01-01, values varying
// deterministically. It returns the file size.
func generate(path string, rows int64) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "serviceNumber,serviceName,date,period,receivedCalls,handledCalls,abandonedCalls,avgTalkTime,avgACWTime,ASA,serviceLevel,occupancyRatio,qtyOfAgents,contactsInQueue,transferredCalls")
	const services, periods = 200, 48
	day0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var buf []byte
	for i := int64(0); i < rows; i++ {
		svc := i % services
		per := (i / services) % periods
		day := day0.AddDate(0, 0, int(i/(services*periods)))
		recv := 20 + (i*7)%80
		aband := (i * 3) % 5
		buf = buf[:0]
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
