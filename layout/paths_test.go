package layout

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func TestParsePath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path string
		want PathInfo
	}{
		{MetaPath, PathInfo{Kind: PathMeta}},
		{StatePath, PathInfo{Kind: PathState}},
		{ScopePath, PathInfo{Kind: PathScope}},
		{IndexPath, PathInfo{Kind: PathIndex}},
		{PagePath(pageID), PathInfo{Kind: PathPage, PageID: pageID}},
		{PageReadmePath(pageID), PathInfo{Kind: PathPageReadme, PageID: pageID}},
		{BlockPath(pageID, b(3)), PathInfo{Kind: PathBlock, PageID: pageID, BlockID: b(3)}},
		{CommentPath(pageID, commentID), PathInfo{Kind: PathComment, PageID: pageID, CommentID: commentID}},
		{DatabasePath(dbID), PathInfo{Kind: PathDatabase, DatabaseID: dbID}},
		{DataSourcePath(dsID), PathInfo{Kind: PathDataSource, DataSourceID: dsID}},
		{UserPath(personID), PathInfo{Kind: PathUser, UserID: personID}},
		{FilePath(imageSHA), PathInfo{Kind: PathFile, FileHash: imageSHA}},
		{ViewPath(dbID, b(4)), PathInfo{Kind: PathView, DatabaseID: dbID, ViewID: b(4)}},
		{StateShardPath(StateShard(pageID)), PathInfo{Kind: PathStateShard, StateShard: pageID[:2]}},
	} {
		got, ok := ParsePath(tc.path)
		if !ok || got != tc.want {
			t.Errorf("ParsePath(%q) = %+v, %v; want %+v", tc.path, got, ok, tc.want)
		}
		if back := got.Path(); back != tc.path {
			t.Errorf("%+v.Path() = %q, want %q", got, back, tc.path)
		}
	}
	if got := (PathInfo{Kind: PathBlock, PageID: pageID, BlockID: b(3)}).ObjectID(); got != b(3) {
		t.Errorf("ObjectID of a block path: %q", got)
	}
	if got := (PathInfo{Kind: PathPageReadme, PageID: pageID}).ObjectID(); got != "" {
		t.Errorf("ObjectID of a page's README: %q", got)
	}
}

func TestParsePathRefuses(t *testing.T) {
	t.Parallel()
	upper := "393ABC1E-EDCD-81F5-AE94-EC2D55FE98ED"
	bare := "393abc1eedcd81f5ae94ec2d55fe98ed"
	for _, p := range []string{
		"", "pages", PageDir(pageID), PageDir(pageID) + "/", PagePath(upper), PagePath(bare),
		PagePath(".."), PagePath(pageID) + "/x", BlockPath(pageID, ".."), BlockPath(pageID, upper),
		PageDir(pageID) + "/blocks/x/" + b(1) + ".json", BlockPath(pageID, b(1)) + ".json",
		DatabaseDir(dbID) + "/data_source.json", DataSourceDir(dsID) + "/database.json",
		DatabasePath(dbID) + "/x", UserPath(".."), UserPath(personID) + "x", UsersDir + "/" + personID,
		"files/9f/" + imageSHA[:63], "files/00/" + imageSHA, "files/" + imageSHA, FilePath(imageSHA) + "/x",
		".github/workflows/sync.yml", ".notion-git/other.json", "/" + MetaPath, MetaPath + "/",
		"notes.txt", "/pages/" + pageID + "/page.json",
		ViewPath(dbID, upper), ViewPath(dbID, ".."), ViewPath(upper, b(4)), ViewsDir(dbID), ViewsDir(dbID) + "/" + b(4),
		ViewPath(dbID, b(4)) + "/x", DatabaseDir(dbID) + "/blocks/" + b(4) + ".json", DataSourceDir(dsID) + "/views/" + b(4) + ".json",
	} {
		if got, ok := ParsePath(p); ok {
			t.Errorf("ParsePath(%q) = %+v, want refused", p, got)
		}
	}
	// A stray file of a page's folder still names its page.
	for _, p := range []string{PageDir(pageID) + "/notes.txt", PageDir(pageID) + "/blocks/x.json", PagePath(pageID) + "/x"} {
		if got, ok := ParsePath(p); ok || got != (PathInfo{PageID: pageID}) {
			t.Errorf("ParsePath(%q) = %+v, %v; want the page id alone, refused", p, got, ok)
		}
	}
}

// idFrom makes a canonical id of 16 bytes.
func idFrom(b []byte) string {
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// FuzzParsePath checks that ParsePath and the path builders are inverses:
// any path ParsePath accepts is rebuilt byte for byte from what it returned,
// and every path a builder makes from any ids parses back to those ids.
func FuzzParsePath(f *testing.F) {
	for _, seed := range []string{
		MetaPath, StatePath, IndexPath, PagePath(pageID), BlockPath(pageID, b(1)), CommentPath(pageID, commentID),
		DatabasePath(dbID), DataSourcePath(dsID), UserPath(personID), FilePath(imageSHA),
		PageDir(pageID) + "/x", "pages/../page.json", "files/9f/9f", "",
		StateShardPath("0a"), ".notion-git/state/0A.json", ".notion-git/state/0a", ".notion-git/state/../state.json",
	} {
		f.Add(seed, []byte(seed))
	}
	f.Fuzz(func(t *testing.T, p string, seed []byte) {
		if info, ok := ParsePath(p); ok {
			if back := info.Path(); back != p {
				t.Fatalf("ParsePath(%q) = %+v, which builds %q", p, info, back)
			}
			if again, _ := ParsePath(info.Path()); again != info {
				t.Fatalf("ParsePath is not stable on %q: %+v, then %+v", p, info, again)
			}
		} else if info.Kind != PathUnknown {
			t.Fatalf("ParsePath(%q) refused it but says %v", p, info.Kind)
		}

		sum := sha256.Sum256(seed)
		a, c := idFrom(sum[:16]), idFrom(sum[16:])
		sha := hex.EncodeToString(sum[:])
		for _, want := range []PathInfo{
			{Kind: PathPage, PageID: a},
			{Kind: PathPageReadme, PageID: a},
			{Kind: PathBlock, PageID: a, BlockID: c},
			{Kind: PathComment, PageID: c, CommentID: a},
			{Kind: PathDatabase, DatabaseID: a},
			{Kind: PathStateShard, StateShard: StateShard(a)},
			{Kind: PathDataSource, DataSourceID: c},
			{Kind: PathUser, UserID: a},
			{Kind: PathFile, FileHash: sha},
		} {
			got, ok := ParsePath(want.Path())
			if !ok || got != want {
				t.Fatalf("ParsePath(%q) = %+v, %v; want %+v", want.Path(), got, ok, want)
			}
		}
	})
}
