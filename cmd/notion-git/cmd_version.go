package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/notion-git/notion-git/notion"
)

type versionCmd struct{}

// buildVersion is set at link time (-ldflags "-X main.buildVersion=v1.2.3");
// otherwise the module version or VCS revision from the build info is used.
var buildVersion = ""

func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "devel-" + s.Value[:12]
		}
	}
	return "devel"
}

// versionLine is what both the version command and --version print.
func versionLine() string {
	return fmt.Sprintf("notion-git %s (Notion API %s, %s)", version(), notion.DefaultVersion, runtime.Version())
}

func (versionCmd) Run(env *Env) error {
	_, err := fmt.Fprintln(env.Stdout, versionLine())
	return err
}
