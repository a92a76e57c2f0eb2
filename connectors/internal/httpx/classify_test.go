package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// Permanent statuses fail on the first attempt with the vendor's message.
func TestPermanentStatusFailsFast(t *testing.T) {
	for _, tc := range []struct {
		code       int
		body       string
		msg, code2 string
		requestID  string
	}{
		{400, `{ "error": "endDate must be within 90 days of the start date" }`, "endDate must be within 90 days of the start date", "", ""},
		{400, `{"errorCode":202,"errorMessage":"Invalid input [exactly one of phone, loginId or lastName is required]"}`, "Invalid input [exactly one of phone, loginId or lastName is required]", "202", ""},
		{403, `{"code": 403, "Request Id": "1-66ebf497-abc", "Message": "Access denied"}`, "Access denied", "403", "1-66ebf497-abc"},
		{404, ``, "", "", ""},
		{409, `{"message":"Conflict on appointment","code":"conflict","status":409,"contextId":"ctx-1"}`, "Conflict on appointment", "conflict", "ctx-1"},
		{422, `{"message":"Missing required field [password]","code":202}`, "Missing required field [password]", "202", ""},
		{401, `{"error":"invalid token"}`, "invalid token", "", ""}, // no Auth configured: nothing to refresh
	} {
		s := &script{steps: []http.HandlerFunc{status(tc.code, tc.body)}}
		srv := httptest.NewServer(s)
		c, _ := newTestClient(t, Config{})
		_, err := c.Do(newReq(t, t.Context(), "POST", srv.URL+"/api/v1/coaching-sessions?page=2", "{}"))
		srv.Close()
		se, ok := errors.AsType[*StatusError](err)
		if !ok {
			t.Errorf("%d: err = %v, want *StatusError", tc.code, err)
			continue
		}
		if se.StatusCode != tc.code || se.Method != "POST" || se.Path != "/api/v1/coaching-sessions" ||
			se.Message != tc.msg || se.Code != tc.code2 || se.RequestID != tc.requestID || se.Attempts != 1 {
			t.Errorf("%d: got %#v", tc.code, se)
		}
		if !IsPermanent(err) || IsRetryable(err) || s.hits() != 1 {
			t.Errorf("%d: permanent %v retryable %v hits %d", tc.code, IsPermanent(err), IsRetryable(err), s.hits())
		}
		if strings.Contains(err.Error(), "page=2") || (tc.msg != "" && !strings.Contains(err.Error(), tc.msg)) {
			t.Errorf("%d: error text %q", tc.code, err)
		}
	}
}

// A huge vendor message is cut short; the body never reaches the error.
func TestVendorMessageTruncated(t *testing.T) {
	long := strings.Repeat("é", 5000)
	srv := httptest.NewServer(status(400, fmt.Sprintf(`{"error":"%s","rows":["alice@example.com"]}`, long)))
	defer srv.Close()
	c, _ := newTestClient(t, Config{})
	_, err := c.Do(newReq(t, t.Context(), "GET", srv.URL, ""))
	se, _ := errors.AsType[*StatusError](err)
	if se == nil || utf8.RuneCountInString(se.Message) != maxMessageRunes+1 || !strings.HasSuffix(se.Message, "…") {
		t.Fatalf("message of %d runes: %v", utf8.RuneCountInString(se.Message), err)
	}
	if strings.Contains(err.Error(), "alice@example.com") || len(err.Error()) > 1000 {
		t.Errorf("error carries the body: %d bytes", len(err.Error()))
	}
}

func TestCustomErrorExtractor(t *testing.T) {
	srv := httptest.NewServer(status(400, "ERR|42|bad window\nsecond line"))
	defer srv.Close()
	c, _ := newTestClient(t, Config{ErrorExtractor: func(b []byte) ErrorDetail {
		f := strings.SplitN(string(b), "|", 3)
		return ErrorDetail{Code: f[1], Message: f[2]}
	}})
	_, err := c.Do(newReq(t, t.Context(), "GET", srv.URL, ""))
	se, _ := errors.AsType[*StatusError](err)
	if se == nil || se.Code != "42" || se.Message != "bad window second line" {
		t.Errorf("got %#v", se)
	}
}

func TestDefaultErrorExtractor(t *testing.T) {
	for _, tc := range []struct {
		body string
		want ErrorDetail
	}{
		{`{"error":"Too many requests in the past second."}`, ErrorDetail{Message: "Too many requests in the past second."}},
		{`{"message":"m"}`, ErrorDetail{Message: "m"}},
		{`{"code":202,"message":"Missing required field [password]"}`, ErrorDetail{Code: "202", Message: "Missing required field [password]"}},
		{`{"errorCode":202,"errorMessage":"Invalid password"}`, ErrorDetail{Code: "202", Message: "Invalid password"}},
		{`{"code": 403, "Request Id": "1-66ebf497", "Message": "Access denied"}`, ErrorDetail{Code: "403", Message: "Access denied", RequestID: "1-66ebf497"}},
		{`{"errorMessage":"The following file does not exist or may have expired: c309.wav","requestId":"31b466da"}`,
			ErrorDetail{Message: "The following file does not exist or may have expired: c309.wav", RequestID: "31b466da"}},
		{`{"message":"Retry the request in [3] seconds","code":"too.many.requests","status":429,"contextId":"c1"}`,
			ErrorDetail{Code: "too.many.requests", Message: "Retry the request in [3] seconds", RequestID: "c1"}},
		{`{"error":"invalid_client","error_description":"Client authentication failed"}`, ErrorDetail{Code: "invalid_client", Message: "Client authentication failed"}},
		{`{"error":{"code":"E1","message":"nested"}}`, ErrorDetail{Code: "E1", Message: "nested"}},
		{`{"errors":[{"message":"first"},{"message":"second"}]}`, ErrorDetail{Message: "first"}},
		{`[{"message":"in array"}]`, ErrorDetail{Message: "in array"}},
		{"Requested contact does not exist!\nstack...", ErrorDetail{Message: "Requested contact does not exist!"}},
		{`<html><body>502 Bad Gateway</body></html>`, ErrorDetail{}},
		{`{"data":[1,2,3]}`, ErrorDetail{}},
		{`{not json`, ErrorDetail{}},
		{"\xff\xfe", ErrorDetail{}},
		{``, ErrorDetail{}},
	} {
		if got := DefaultErrorExtractor([]byte(tc.body)); got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.body, got, tc.want)
		}
	}
}

func TestClassifyOtherErrors(t *testing.T) {
	for _, tc := range []struct {
		err                  error
		retryable, permanent bool
	}{
		{nil, false, false},
		{errors.New("whatever"), false, false},
		{context.Canceled, false, false},
		{&StatusError{StatusCode: 503}, true, false}, // not made by a Client: default policy
		{&StatusError{StatusCode: 400}, false, true},
		{fmt.Errorf("wrapped: %w", &StatusError{StatusCode: 502}), true, false},
		{fmt.Errorf("%w: %w", ErrRetryBudgetExhausted, &StatusError{StatusCode: 503}), false, false},
		{fmt.Errorf("x: %w", ErrBodyTooLarge), false, true},
	} {
		if r, p := IsRetryable(tc.err), IsPermanent(tc.err); r != tc.retryable || p != tc.permanent {
			t.Errorf("%v: retryable %v permanent %v, want %v %v", tc.err, r, p, tc.retryable, tc.permanent)
		}
	}
}
