// Package livevox pulls LiveVox agents, agent skills and their assignments
// from the LiveVox Configuration API (reference/livevox-configuration-api-agents.txt;
// SPEC.md section 5) as a snapshot, kind livevox-agents.
//
// # Requests
//
// Every request goes through connectors/internal/httpx (rate limit,
// retries with backoff and jitter on 429, 5xx and dropped connections,
// retry budget, re-login on 401, attempt timeout). A run:
//
//  1. logs in on its first request: POST <session_path>/login with
//     LV-Access: <access_token> and {"clientName","userName","password",
//     "agent":false} ([ext], SPEC.md 1.1); later requests send
//     LV-Session: <sessionId>. A session lives while it is used once in a
//     rolling two-hour window; a 401 logs in again and retries once.
//  2. lists skills: GET <configuration_path>/agents/skills?count=&offset=[&client=];
//  3. lists agents: GET <configuration_path>/agents?count=&offset=[&client=],
//     and reads each listed agent before the next page:
//     GET <configuration_path>/agents/{id} (its skills with proficiency,
//     its services, wrapUpTime, homeAgent, locked, passwordLastModified),
//     up to concurrency (default 8) agents at once, written in list order;
//  4. logs out when the source closes: DELETE <session_path>/logout. A
//     failed logout is logged, not returned: the data is committed by then
//     and the session expires by itself.
//
// So a pull of A agents and S skills with page size P makes
// 1 + max(1, ceil(S/P)) + max(1, ceil(A/P)) + A + 1 requests, which the
// tests and the benchmark check.
//
// # Paging
//
// count is at most 1000 (the reference's hard cap); offset counts items,
// not pages (doc error 73: "offset from 0, based on count" reads as pages,
// but the example goes from offset 2 to 6 with count 4). A list ends when
// next is absent, null or blank. The next link is relative, without a
// leading slash and in an odd "agents/?" form
// ("configuration/agents/?client=49551&offset=6&count=4"); the connector
// does not request it verbatim. It checks that the link names the same
// list on the same host and takes its offset, then builds the next request
// like the first (see nextOffset). An offset that does not move forward
// fails the run; a page with no items but a next link ends the list and is
// counted in the report (empty_pages_with_next).
//
// # Tables
//
// All five tables are snapshots: each row carries snapshot_at, the run's
// clock (SourceConfig.Now) to the millisecond, and tables are partitioned
// by it. Every batch's Input is the snapshot's identity (API, client,
// snapshot time), so rerunning the same snapshot replaces its files and a
// later snapshot adds its own; readers take the latest snapshot_at.
//
//   - lv_agent: the List Agents entry completed by Read Agent, whose values
//     win. The Read response has no id or clientId: id comes from the list
//     and client_id from the client_id option or, without it, from the
//     login response's clientId. lastLogin, passwordLastModified and
//     lastModified (epoch ms) are timestamps. No password field is ever
//     stored, and password keys are removed from rejected records too.
//   - lv_agent_skill: List Agent Skills entries (id, name).
//   - lv_agent_skill_assignment: Read Agent's assignedAgentSkill.
//   - lv_agent_service_assignment: Read Agent's assignedService.
//   - lv_agent_call_center: Get Agent Related Objects' callCenter, read
//     only with the call_centers option (one more request per agent).
//
// # Rejects and merges
//
// A reject means a record ccetl could not decode, never that it asked for
// something LiveVox does not have. A record is rejected, with its raw JSON,
// when it is not an object, lacks its key (id, or loginId for an agent), or
// has a value of the wrong type or out of range: proficiency outside 1-5,
// wrapUpTime below -1, a timestamp that is not epoch milliseconds. The
// assignments of a rejected agent are rejected with it. An agent listed but
// gone before it was read (404 {"code":203,"message":"Agent not found
// [ID:..]"}) is not bad data: it is left out of the snapshot, logged, and
// counted in the report (agents_gone_before_read), never rejected. An agent
// or skill listed twice (the list shifted between pages) is merged, as is a
// skill or service repeated in one agent's list with the same proficiency;
// a repeated skill with another proficiency is rejected. Rejects name the
// request ("GET /configuration/agents page 2", "GET
// /configuration/agents/324515") and the record's index in the response (in
// the array for assignments).
//
// # Errors
//
// The reference uses three error bodies: {"code","message"},
// {"errorCode","errorMessage"} and {"code","Request Id","Message"}
// (doc error 70). httpx's default extractor reads all three (the
// connector only adds removing the password and token, should a message
// echo them), so every failure carries the vendor's code, message and
// request id, for example
// "GET /configuration/agents/skills: 403 Forbidden (code 403): Access
// denied [request id 1-66ebf497-...]". Any failure other than a 404 on
// Read Agent fails the run, and nothing is committed.
//
// # Rate limit
//
// LiveVox documents none (doc error 75). The default, 5 requests a second,
// is a conservative guess; set rate_limit to the tenant's real limit. Each
// window is widened by 5% (at least 5ms) rather than httpx's 2%: httpx
// records a request when the limiter admits it, before a connection is
// dialled, so a slow dial or a busy machine makes the server see requests
// closer together than the client spaced them.
//
// # Departures
//
// Agent reads go out up to concurrency at once: one after another, their
// round trips would add up, and a pull would take longer than its rate
// limit implies once a round trip is longer than the limit's spacing
// (200ms at the default 5 a second).
//
// Read Agent Skill (description, clientId) and Get Agent Related Objects
// (call centers, lv_agent_call_center) are not pulled: each costs one
// request per skill or agent and the task did not ask for them.
package livevox
