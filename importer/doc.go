// Package importer restores a snapshot (package layout) into a Notion page
// through package notion. It works in phases, as a person rebuilding the
// workspace by hand would: the skeleton of pages and databases first, top
// down, to learn the new ids; then database rows; then block content with
// every reference remapped to the restored copy; then relation values and
// the references that had to wait; then comments. Attachments are uploaded
// just before the request that uses them. Write limits are met by planning
// the requests, never by trial, and a journal lets an interrupted restore
// resume without creating anything twice.
package importer
