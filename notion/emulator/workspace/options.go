package workspace

// Options sizes a generated workspace. Every count is a target: the generator
// keeps the shape realistic (a tree of pages, databases inside pages, nested
// blocks) and lands near, not exactly on, each number.
type Options struct {
	// Seed makes the workspace: the same Options always give the same
	// workspace, byte for byte.
	Seed uint64
	// Pages is the number of ordinary pages (database rows come on top).
	Pages int
	// MaxDepth bounds the page tree: top-level shared pages are depth 1.
	MaxDepth int
	// BlocksPerPage is the average number of blocks in a page, counting nested
	// blocks. Database rows carry a few blocks of their own besides.
	BlocksPerPage int
	// Databases is the number of databases.
	Databases int
	// DataSourcesPerDatabase is the most data sources one database holds;
	// about one database in four has more than one when it is 2 or more.
	DataSourcesPerDatabase int
	// RowsPerDataSource is the average number of rows in a data source.
	RowsPerDataSource int
	// Comments is the number of comments, on pages and on blocks.
	Comments int
	// Attachments is the number of Notion-hosted files (Fixture.Files).
	Attachments int
	// Users is the number of people in the workspace besides the bot. A
	// people property holds more than 25 users only when Users > 25.
	Users int
	// UnknownBlockTypes adds blocks of a type the API does not have yet
	// ("ai_summary"), to prove that consumers keep what they do not know.
	// Contract tests leave it off: the SDK schemas reject such blocks.
	UnknownBlockTypes bool
	// Views gives each database a table, a board and a calendar view where
	// its schema allows, as a person would set them up.
	Views bool
}

// Small is about 100 pages: the smallest workspace that still holds every
// block type, every property type and every reference kind.
func Small() Options {
	return Options{
		Seed:                   1,
		Pages:                  55,
		MaxDepth:               4,
		BlocksPerPage:          30,
		Databases:              4,
		DataSourcesPerDatabase: 2,
		RowsPerDataSource:      4,
		Comments:               30,
		Attachments:            12,
		Users:                  30,
		UnknownBlockTypes:      true,
	}
}

// Medium is about 2,000 pages and 50,000 blocks.
func Medium() Options {
	return Options{
		Seed:                   2,
		Pages:                  1500,
		MaxDepth:               6,
		BlocksPerPage:          31,
		Databases:              40,
		DataSourcesPerDatabase: 2,
		RowsPerDataSource:      10,
		Comments:               400,
		Attachments:            100,
		Users:                  60,
		UnknownBlockTypes:      true,
	}
}

// Large is about 10,000 pages and 250,000 blocks.
func Large() Options {
	return Options{
		Seed:                   3,
		Pages:                  7500,
		MaxDepth:               8,
		BlocksPerPage:          31,
		Databases:              200,
		DataSourcesPerDatabase: 3,
		RowsPerDataSource:      10,
		Comments:               2000,
		Attachments:            400,
		Users:                  150,
		UnknownBlockTypes:      true,
	}
}

// withDefaults fills what a caller left at zero, so that Options{Seed: 7}
// still gives a small but complete workspace.
func (o Options) withDefaults() Options {
	d := Small()
	if o.Pages <= 0 {
		o.Pages = d.Pages
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = d.MaxDepth
	}
	if o.BlocksPerPage <= 0 {
		o.BlocksPerPage = d.BlocksPerPage
	}
	if o.Databases < 0 {
		o.Databases = 0
	}
	if o.DataSourcesPerDatabase <= 0 {
		o.DataSourcesPerDatabase = 1
	}
	if o.RowsPerDataSource < 0 {
		o.RowsPerDataSource = 0
	}
	if o.Users <= 0 {
		o.Users = 1
	}
	return o
}
