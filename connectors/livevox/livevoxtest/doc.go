// Package livevoxtest is an httptest emulator of the LiveVox Configuration
// API's Agents methods (reference/livevox-configuration-api-agents.txt;
// SPEC.md section 5) and of the Session API login and logout that the
// reference only mentions (SPEC.md 1.1 [ext]).
//
// It serves every method of the reference with its path, method, status
// codes and error bodies: Create, Read, Update and Delete Agent, List Agents,
// Find Matching Agents, Get Agent List Info, Get Agent Related Objects, Add
// and Remove Agent Skill and Service, and Create, Read, Update, Delete, List
// and Get List Info of Agent Skills. Its seed tenant (testdata/dataset.json)
// is composed so that each example request of the reference gets the
// example response of the reference; the examples themselves are in
// testdata/ byte for byte.
//
// # Error bodies
//
// The three shapes the reference shows, where it shows them:
//
//	{"code":202,"message":"Missing required field [password]"}            400, create
//	{"code":203,"message":"Agent not found [ID:111111]"}                   404, read
//	{"errorCode":202,"errorMessage":"Invalid password [...]"}              400, update
//	{"errorCode":202,"errorMessage":"Invalid input [exactly one of ...]"}  400, search
//	{"errorCode":202,"errorMessage":"Cannot assign service [...]"}         400, add service
//	{"code":403,"Request Id":"1-...","Message":"Access denied"}            403, create with a
//	                                                                       non-ACD service, and
//	                                                                       every method the
//	                                                                       user's role may not use
//
// A delete of a missing agent or skill is 404 with an empty body.
//
// # Assumptions where the reference is silent
//
// The reference documents no login, session expiry, rate limit or 429/401
// bodies. The emulator assumes:
//
//   - POST <session>/login with header LV-Access and body
//     {"clientName","userName","password","agent"} answers
//     {"sessionId","userId","clientId","daysUntilPasswordExpires"} ([ext]
//     LiveVox Session API). A wrong token or credentials: 401
//     {"code":401,"message":"..."}. A second login of the same user and
//     token while a session is valid returns the same session id, as the
//     LiveVox docs say.
//   - DELETE <session>/logout with LV-Session: 204.
//   - A session stays valid while it is used at least once per
//     Options.SessionIdle (2 hours by default). A missing, unknown or
//     expired LV-Session gets 401 {"code":401,"message":"Invalid session"}.
//   - Rate limits (Options.Limits; none by default) count every Session and
//     Configuration API request in sliding windows (other paths get an
//     uncounted 404); a request over a window gets 429 with the API
//     gateway's body shape, {"code":429,"Request Id":..,"Message":"Too Many
//     Requests"}, and no Retry-After unless Options.RetryAfter is set.
//   - count is required on lists and capped at 1000 (a larger count is
//     served as 1000); a missing or invalid count or offset gets 400
//     {"errorCode":202,"errorMessage":"Invalid input [...]"}.
//   - Roles: methods whose reference section lists "User Roles: ..., Manager,
//     or Agent" (List, Read, Find Matching, Get Related) accept every role;
//     the others need Sysadmin, IT User or Superuser, or Manager with the
//     "Administer Agents" or "Access to Agent Editor" power.
//   - Create with a non-empty password that breaks the rules answers the
//     {errorCode,errorMessage} shape of the update example. Update parses
//     JSON strictly: the reference's own update example, which has a
//     trailing comma, is refused (400); its repaired copy is accepted.
//   - Add Service with a wrong service type answers 400 (the reference shows
//     the body but no status).
//   - next links have the reference's form, relative without a leading
//     slash and with "agents/?": "configuration/agents/?client=49551&offset=6&count=4"
//     (Options.NextLink chooses other forms). The last page omits next for
//     agents and searches and sends "next": null for skills, as the
//     examples do (Options.LastPage chooses).
//
// # Faults
//
// Inject queues faults (a status and body, or a connection dropped half
// way through the body) for matching requests; ExpireSessionsAfter ends
// every session after a number of requests, like a session that times out
// mid-run; Options.OnRequest runs a hook before each request (to delete an
// agent between list and read, for example).
package livevoxtest
