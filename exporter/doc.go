// Package exporter crawls a Notion workspace into the layout: a cheap
// listing pass finds what changed since the last sync, only that is crawled,
// and everything else is carried over from the previous snapshot without a
// request. It talks to Notion only through package notion and writes only
// through the Sink it is given; it knows nothing of git.
package exporter

// # What can change without a new last_edited_time
//
// Planning crawls a page when its last_edited_time or its listed object
// differs from the stored one. These are the cases where the stored content
// can go stale anyway, and what covers each. Sources: Notion's reference
// pages "Retrieve a page" and "Page properties" (developers.notion.com/
// reference/retrieve-a-page, /reference/property-value-object), "Retrieve a
// page property item" (/reference/retrieve-a-page-property), "Working with
// comments" (/docs/working-with-comments), the webhook event list (comments
// have their own comment.* events, apart from page.content_updated), and
// the emulator's record of observed behaviour (notion/emulator/FIDELITY.md).
// What no source settles is marked as a guess.
//
//   - Mentions of pages, databases and people in blocks. Notion renders a
//     mention's plain_text from the target's title or name when it is read
//     (FIDELITY.md, "Mention text is rendered when read"), and a rename
//     edits the target only (guess: no source says the mentioning page's
//     time moves; the emulator assumes it does not). Marked volatile
//     ("mention") and refreshed on the shorter period. Mentions in a page's
//     title and properties need no mark: they are in the page object, which
//     the listing brings every run and planning compares.
//   - Property values beyond 25 references. A page object carries at most
//     25 people, related pages or mentions per property, and rollups over a
//     relation are computed from at most 25 of them (Retrieve a page,
//     Limits); the crawl completes such values from the property item
//     endpoint, so comparing the listing with the store cannot see a change
//     past the 25th. Marked volatile ("long property"). Whether adding a
//     row to a two-way relation moves the other row's time is a guess (we
//     assume it may not).
//   - Formulas and rollups. The listing's page object carries their current
//     values, and planning compares the listed object with the stored one,
//     so a new value is seen on the next run without a refresh: no mark.
//     (A formula over now() therefore rewrites its page.json every run; a
//     rollup over more than 25 relations is inaccurate in the page object
//     itself, which the "long property" mark of its relation covers.)
//   - Synced blocks. A copy's children are its original's, stored once,
//     with the original, in the original's page; an edit of the content
//     edits the original's page. No mark. (When the original is in a page
//     the integration cannot read, nothing of it is stored either way.)
//   - child_page and child_database blocks carry the child's title and
//     times; they go stale when the child changes, and are patched from the
//     listing without a refresh (childblocks.go). No mark.
//   - Comments. Adding, resolving or deleting a comment is assumed not to
//     move the page's time (guess, from comments having events of their own
//     and the emulator's model); the comment sweep covers them on its own
//     period. Notion lists unresolved comments only, so a resolved one
//     leaves the snapshot at the next sweep of its page.
//   - Edits through the API. Whether an API edit of a block moves its
//     page's last_edited_time is not documented, and one report says it did
//     not: this is what the refresh of every page, volatile or not, is for.
//   - Linked databases are not returned by search, nor readable as
//     databases; the block that shows one stores what the API answers for
//     it and nothing follows from it.
//
// Block comments are asked for every block of a page except child_page and
// child_database blocks, whose ids are the child page's (its comments are
// its own, stored in its folder) and the database's. Other block types
// that the editor may not let anyone comment on (columns, table rows,
// dividers; a guess, undocumented) are asked all the same: telling them
// apart needs each block's file, and a comment missed would be lost.
