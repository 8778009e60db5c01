package workspace

import (
	"fmt"
	"math/rand/v2"
)

// namer makes titles and text: plain English, so that a generated workspace
// reads like a real one in a diff or a rendered README.
type namer struct {
	r *rand.Rand
	// Curated titles are used first (the demo workspace); generated ones
	// follow.
	roots, databases []string
	workspaceName    string
}

var (
	topics = []string{"Onboarding", "Release", "Incident", "Design", "Hiring", "Budget", "Launch",
		"Security", "Architecture", "Support", "Research", "Sprint", "Interview", "Partner", "Pricing",
		"Analytics", "Infrastructure", "Customer", "Quarterly", "Offsite", "Migration", "API", "Mobile",
		"Billing", "Search", "Payments", "Compliance", "Marketing", "Data", "Platform"}
	kinds = []string{"notes", "plan", "checklist", "review", "guide", "overview", "proposal",
		"postmortem", "FAQ", "playbook", "brief", "summary", "draft", "log", "retrospective", "spec",
		"decisions", "runbook", "goals", "timeline"}
	dbKinds = []string{"Tasks", "Projects", "Bugs", "Docs", "Meetings", "Contacts", "Decisions",
		"Experiments", "Assets", "Requests", "Vendors", "OKRs"}
	firstNames = []string{"Ada", "Grace", "Alan", "Linus", "Margaret", "Ken", "Barbara", "Dennis",
		"Frances", "Edsger", "Radia", "Donald", "Shafi", "Tim", "Hedy", "Guido", "Sophie", "Yukihiro",
		"Katherine", "John", "Annie", "Niklaus", "Karen", "Bjarne", "Lynn"}
	lastNames = []string{"Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Thompson", "Liskov",
		"Ritchie", "Allen", "Dijkstra", "Perlman", "Knuth", "Goldwasser", "Berners-Lee", "Lamarr",
		"van Rossum", "Wilson", "Matsumoto", "Johnson", "Backus", "Easley", "Wirth", "Jones", "Stroustrup", "Conway"}
	sentences = []string{
		"We agreed to ship the first version behind a feature flag.",
		"The migration runs in batches of one thousand rows to keep locks short.",
		"Open questions are listed at the end of this page.",
		"Please add your notes before Thursday's review.",
		"Latency at the 99th percentile dropped from 480 ms to 210 ms.",
		"Each team owns its dashboards and its on-call rotation.",
		"The vendor confirmed the contract renewal for another year.",
		"Customers asked for exports in CSV and JSON.",
		"Keep the checklist short: anything longer is not read.",
		"This section is a draft and will change.",
		"Decision: we keep the old endpoint until every client has moved.",
		"Budget requests go through the finance channel.",
		"The root cause was a retry loop without backoff.",
		"Interview loops have four sessions and a debrief on the same day.",
		"Screenshots of the new onboarding flow are attached below.",
		"Monitoring alerts page the primary, then the secondary after ten minutes.",
		"Every release note links to its tracking issue.",
		"We measure activation as a second session within seven days.",
		"Rollback is one command and takes under a minute.",
		"Tests run on every push and block the merge when they fail.",
		"Naïve caching made the bug worse — see the timeline ⏱️.",
		"Résumé screening is shared between two reviewers.",
	}
	codeSamples = []struct{ lang, code string }{
		{"go", "func main() {\n\tfmt.Println(\"hello, notion\")\n}"},
		{"python", "def total(items):\n    return sum(i.price for i in items)"},
		{"bash", "git log --oneline | head -n 20"},
		{"sql", "SELECT id, title FROM pages WHERE in_trash = false;"},
		{"json", "{\n  \"retry\": 3,\n  \"backoff\": \"1s\"\n}"},
		{"typescript", "const pages = await notion.search({ query: \"Roadmap\" });"},
	}
	emojis = []string{"📘", "🚀", "🗂️", "🧪", "📝", "🛠️", "📊", "🔒", "🎯", "💡", "🐛", "📅"}
)

func (n *namer) workspace() string {
	if n.workspaceName != "" {
		return n.workspaceName
	}
	return "Acme " + topics[n.r.IntN(len(topics))]
}

func (n *namer) pageTitle(depth int) string {
	if depth == 1 && len(n.roots) > 0 {
		t := n.roots[0]
		n.roots = n.roots[1:]
		return t
	}
	t := topics[n.r.IntN(len(topics))] + " " + kinds[n.r.IntN(len(kinds))]
	if n.r.IntN(3) == 0 {
		t += fmt.Sprintf(" %d-%02d", 2023+n.r.IntN(3), 1+n.r.IntN(12))
	}
	return t
}

func (n *namer) databaseTitle() string {
	if len(n.databases) > 0 {
		t := n.databases[0]
		n.databases = n.databases[1:]
		return t
	}
	return topics[n.r.IntN(len(topics))] + " " + dbKinds[n.r.IntN(len(dbKinds))]
}

func (n *namer) sourceName(db string, i int) string {
	return db + ": " + []string{"Active", "Archive", "Backlog", "Ideas"}[i%4]
}

func (n *namer) rowTitle() string {
	verbs := []string{"Fix", "Write", "Review", "Plan", "Ship", "Draft", "Update", "Measure", "Call", "Clean up"}
	return verbs[n.r.IntN(len(verbs))] + " " + topics[n.r.IntN(len(topics))] + " " + kinds[n.r.IntN(len(kinds))]
}

func (n *namer) person() string {
	return firstNames[n.r.IntN(len(firstNames))] + " " + lastNames[n.r.IntN(len(lastNames))]
}

func (n *namer) sentence() string { return sentences[n.r.IntN(len(sentences))] }
