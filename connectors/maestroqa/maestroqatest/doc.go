// Package maestroqatest is an httptest emulator of the MaestroQA coaching
// export API as the reference (reference/maestroqa-coaching-export-api.ko.txt)
// and SPEC.md section 2 describe it, for the maestroqa-coaching-api kind's
// tests.
//
// It serves one endpoint:
//
//	POST /api/v1/coaching-sessions   header apiToken; JSON body {startDate, endDate, timeAxis}
//
// (the path and method are [ext], doc error 57) and answers, as documented:
//
//   - 200 with the JSON array of the coaching sessions whose timeAxis date
//     (createdAt or meetingDate) lies in the requested days, each session
//     object served byte for byte as it was loaded (AddSessions), in the
//     order loaded; no pagination;
//   - 400 {"error": "..."} for a body that is not JSON, a missing startDate,
//     endDate or timeAxis, a date not formatted YYYY-MM-DD, a timeAxis other
//     than meetingDate or createdAt, an endDate before the startDate, and a
//     range over 90 days;
//   - 429 {"error": "Too many requests in the past second."} (or "minute")
//     past the "Hard Endpoints" limits, 1 request a second and 30 a minute,
//     naming the window that was full. The reference documents no
//     Retry-After header, so none is sent.
//
// What the reference does not say and the emulator decides (doc errors 58,
// 60, 61): a missing apiToken header is 401 and a wrong one 403, both with
// an {"error": ...} body (the reference documents no auth errors); header
// names are case-insensitive as in HTTP; endDate is inclusive by default
// (the days startDate..endDate, UTC), or exclusive with
// Config.EndExclusive; "within 90 days" means at most 90 days in the range
// (inclusive: endDate-startDate+1 <= 90; exclusive: endDate-startDate <=
// 90); timeAxis is required; a session whose timeAxis field is missing,
// null or not an ISO-8601 time is in no range. Only admitted requests count
// against the limits (a 429 does not use up a slot), and the limits are
// checked after the token and before the body.
//
// Faults for tests (Inject): any status with an {"error": ...} body, 429
// storms, and a connection dropped after half of a 200 body.
package maestroqatest
