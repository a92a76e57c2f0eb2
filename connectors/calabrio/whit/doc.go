// Package whit decodes WHIT / GIS service-interval CSV files (Calabrio ONE
// API reference: GIS API default columns, WHIT API) into the
// cal_service_interval_history table: one row per service queue, date and
// period.
//
// The date column takes the four documented forms. YYYY-MM-DD and
// YYYY/MM/DD are unambiguous; for MM/DD/YYYY versus DD/MM/YYYY, which "the
// system cannot tell apart", the date_order option decides (mdy by default)
// and a value invalid under it is rejected. The period HH:MM and the date
// give interval_start, a UTC timestamp computed in the configured time zone
// (UTC, or the tenant's zone, as WHIT's timeZone parameter).
package whit
