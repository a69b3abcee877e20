package main

import (
	"encoding/csv"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/advocacy-portal/portal/guidelines"
	"github.com/advocacy-portal/portal/internal/training"
)

// TestBrowserHRAssignsTraining has HR assign a module to a new group, and
// follows it through: the employee in that group sees it due, fails the
// quiz once, passes, and HR's dashboard and CSV export show the pass.
func TestBrowserHRAssignsTraining(t *testing.T) {
	dir := quickRetryGuidelines(t, "disclosure")
	g, err := training.Load(os.DirFS(dir))
	if err != nil {
		t.Fatalf("load the copied guidelines: %v", err)
	}
	m, ok := g.Module("disclosure")
	if !ok {
		t.Fatal("the guidelines have no disclosure module")
	}
	if m.Quiz.RetryWait != 0 || m.Quiz.MaxAttempts < 2 {
		t.Fatalf("disclosure's quiz has retry_wait %s and max_attempts %d; the test needs 0s and at least 2",
			m.Quiz.RetryWait, m.Quiz.MaxAttempts)
	}
	base := startPortal(t, "-guidelines", dir)
	b := newBrowser(t, "hr-")

	// HR creates a team, puts Noor in it and assigns it a module.
	b.signIn(base, "demo-hannah", "Hannah Okafor")
	b.do("open the groups",
		chromedp.Navigate(base+"/hr/groups"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="group-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#group-name`), "Browser team"),
		chromedp.SetValue(chromedp.CSS(`#group-kind`), "team"),
	)
	b.shot("01-groups")
	b.do("create the group",
		chromedp.Click(chromedp.CSS(`[data-testid="create-group"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="group-name"]`)),
	)
	groupPath := b.location().Path
	groupID := strings.TrimPrefix(groupPath, "/hr/groups/")
	if got := b.text(`[data-testid="group-name"]`); got != "Browser team" {
		t.Errorf("the new group's page is headed %q, want Browser team", got)
	}
	if b.count(`[data-testid="members-empty"]`) != 1 {
		t.Error("the new group does not say it is empty")
	}
	b.do("add Noor",
		chromedp.SendKeys(chromedp.CSS(`#member-email`), "noor.devries@demo.example"),
		chromedp.Click(chromedp.CSS(`[data-testid="add-member"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="done-added"]`)),
	)
	if n := b.count(`[data-testid="members"] tbody tr`); n != 1 {
		t.Errorf("the group lists %d members, want Noor alone", n)
	}
	if got := b.text(`[data-testid="members"] tbody tr td`); got != "Noor de Vries" {
		t.Errorf("the group's member is %q, want Noor de Vries", got)
	}
	if got := b.text(`[data-testid="members"] [data-testid="source"]`); got != "Added by hand" {
		t.Errorf("Noor joined through %q, want Added by hand", got)
	}
	b.shot("02-group")

	due := time.Now().UTC().AddDate(0, 0, 10)
	dueDay := due.Format(time.DateOnly)
	b.do("open the assignment form",
		chromedp.Navigate(base+"/hr/assignments"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="assignment-form"]`)),
		chromedp.SetValue(chromedp.CSS(`#what`), "disclosure"),
		chromedp.SetValue(chromedp.CSS(`#group`), groupID),
		chromedp.SetValue(chromedp.CSS(`#due`), dueDay),
	)
	b.shot("03-assignment-form")
	b.do("assign",
		chromedp.Click(chromedp.CSS(`[data-testid="assign"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="done-created"]`)),
	)
	people, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="assignments"] tbody tr')]
		.filter(r => r.textContent.includes("Browser team"))
		.map(r => r.querySelector('[data-testid="people"]').textContent.trim())`))
	if err != nil {
		b.fail("read the assignments", err)
	}
	if len(people) != 1 || people[0] != "1" {
		t.Errorf("the assignments to Browser team list people %q, want one assignment to 1 person", people)
	}
	b.shot("04-assignments")
	b.signOut()

	// Noor sees the module due, fails once and passes.
	b.signIn(base, "demo-noor", "Noor de Vries")
	card := `[data-testid="module-disclosure"]`
	b.do("open the training",
		chromedp.Navigate(base+"/training"),
		chromedp.WaitVisible(chromedp.CSS(card)),
	)
	// Her department has the programme, due in 14 days; the earlier due
	// date of the team's assignment wins.
	if b.count(card+` [data-testid="due"]`) != 1 {
		b.fail("see disclosure assigned", fmt.Errorf("its card shows no due date"))
	}
	if got, want := b.text(card+` [data-testid="due"]`), "due "+due.Format("2 January 2006"); !strings.HasSuffix(got, want) {
		t.Errorf("disclosure's card says %q, want it to end in %q", got, want)
	}
	b.shot("05-training")

	b.takeQuiz(base, m, false)
	if b.count(`[data-testid="failed"]`) != 1 {
		b.fail("fail disclosure", fmt.Errorf("the result page says %q", b.text(`[data-testid="attempt-result"]`)))
	}
	if got, want := b.text(`[data-testid="score"]`), fmt.Sprintf("0 / %d", len(m.In("en").Questions)); got != want {
		t.Errorf("after answering all wrong the score is %q, want %q", got, want)
	}
	if b.count(`[data-testid="retake"]`) != 1 {
		t.Error("with retry_wait 0s, the failed result offers no retake")
	}
	b.shot("06-failed")

	b.takeQuiz(base, m, true)
	if b.count(`[data-testid="passed"]`) != 1 {
		b.fail("pass disclosure", fmt.Errorf("the result page says %q", b.text(`[data-testid="attempt-result"]`)))
	}
	b.shot("07-passed")
	b.signOut()

	// HR sees the pass on the dashboard and in the export.
	b.signIn(base, "demo-hannah", "Hannah Okafor")
	b.do("open the dashboard for Noor's disclosure",
		chromedp.Navigate(base+"/hr?module=disclosure&q=noor"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="hr-filter"]`)),
	)
	row := `[data-testid="tasks"] tbody tr[data-testid$="-disclosure"]`
	if n := b.count(row); n != 1 {
		b.fail("find Noor's row", fmt.Errorf("the filtered table has %d disclosure rows, want 1", n))
	}
	if got := b.text(row + ` td a`); got != "Noor de Vries" {
		t.Errorf("the filtered row is %q's, want Noor de Vries's", got)
	}
	if got := b.attr(row+` [data-testid="status"]`, "data-status"); got != string(training.Passed) {
		t.Errorf("Noor's disclosure status is %q, want %q", got, training.Passed)
	}
	if got := b.text(row + ` [data-testid="status"]`); got != training.Passed.Label() {
		t.Errorf("Noor's disclosure status reads %q, want %q", got, training.Passed.Label())
	}
	if got := b.text(row); !strings.Contains(got, "Browser team") {
		t.Errorf("Noor's row %q does not list Browser team among her groups", got)
	}
	byModule := `[data-testid="by-module-disclosure"]`
	if got := b.text(byModule + ` [data-testid="passed"]`); got != "1 of 1" {
		t.Errorf("completion of disclosure (filtered to Noor) counts %q passed, want 1 of 1", got)
	}
	if got := b.text(byModule + ` [data-testid="percent"]`); got != "100%" {
		t.Errorf("completion of disclosure (filtered to Noor) is %q, want 100%%", got)
	}
	if got := b.text(`[data-testid="by-group-` + groupID + `"] [data-testid="passed"]`); got != "1 of 1" {
		t.Errorf("completion of Browser team counts %q passed, want 1 of 1", got)
	}
	b.shot("08-dashboard")

	export := b.fetch(b.attr(`[data-testid="export-csv"]`, "href"))
	if export.Status != 200 || !strings.HasPrefix(export.Type, "text/csv") {
		t.Fatalf("the export answered %d %q, want 200 text/csv", export.Status, export.Type)
	}
	records, err := csv.NewReader(strings.NewReader(export.Body)).ReadAll()
	if err != nil {
		t.Fatalf("read the export: %v\n%s", err, export.Body)
	}
	if len(records) != 2 {
		t.Fatalf("the filtered export has %d lines, want a header and Noor's row:\n%s", len(records), export.Body)
	}
	got := map[string]string{}
	for i, col := range records[0] {
		got[col] = records[1][i]
	}
	want := map[string]string{"email": "noor.devries@demo.example", "module": "disclosure", "status": string(training.Passed),
		"best_score_percent": "100", "attempts": "2", "due_at": dueDay + "T23:59:59Z"}
	for col, w := range want {
		if got[col] != w {
			t.Errorf("the export's %s is %q, want %q", col, got[col], w)
		}
	}
	if !strings.Contains(got["groups"], "Browser team") || got["completed_at"] == "" {
		t.Errorf("the export's groups are %q and completed_at %q, want Browser team among them and a time",
			got["groups"], got["completed_at"])
	}
}

// quickRetryGuidelines copies the embedded guidelines into a temporary
// folder, with no wait between attempts at module's quiz, and returns it.
func quickRetryGuidelines(t *testing.T, module string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, guidelines.FS()); err != nil {
		t.Fatalf("copy the embedded guidelines: %v", err)
	}
	file := filepath.Join(dir, "modules", module, training.DefaultLanguage+".md")
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	retryWait := regexp.MustCompile(`(?m)^(\s*retry_wait:\s*)\S+`)
	if !retryWait.Match(text) {
		t.Fatalf("%s sets no retry_wait", file)
	}
	text = retryWait.ReplaceAll(text, []byte("${1}0s"))
	if err := os.WriteFile(file, text, fs.FileMode(0o644)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// signOut signs out and waits for the home page.
func (b *browser) signOut() {
	b.t.Helper()
	b.do("sign out",
		chromedp.Click(chromedp.CSS(`[data-testid="sign-out"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="home"]`)),
	)
	if b.count(`[data-testid="signed-in-as"]`) != 0 {
		b.t.Fatal("still signed in after signing out")
	}
}

// takeQuiz starts an attempt at module m from its page and answers every
// question, rightly or wrongly, ending on the result page.
func (b *browser) takeQuiz(base string, m training.Module, right bool) {
	b.t.Helper()
	b.do("start the quiz of "+m.ID,
		chromedp.Navigate(base+"/training/"+m.ID),
		chromedp.Click(chromedp.CSS(`[data-testid="start-quiz"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="question-form"]`)),
	)
	for range m.In("en").Questions {
		q := b.attr(`input[name="question"]`, "value")
		question, ok := findQuestion(m, q)
		if !ok {
			b.fail("read the question", fmt.Errorf("question %q is not in %s", q, m.ID))
		}
		option := correctOption(b.t, question)
		if !right {
			option = wrongOption(b.t, question)
		}
		b.do("answer "+q, chromedp.Click(chromedp.CSS(`[data-testid="answer-`+q+`-`+option+`"]`)))
		if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(`[data-testid="submit-answer"]`))); err != nil {
			b.fail("submit "+q, err)
		}
		b.do("see the next page", chromedp.WaitVisible(chromedp.CSS(`[data-testid="question-form"], [data-testid="attempt-result"]`)))
	}
	if b.count(`[data-testid="attempt-result"]`) != 1 {
		b.fail("finish the quiz of "+m.ID, fmt.Errorf("no result after %d answers", len(m.In("en").Questions)))
	}
}

// wrongOption returns the id of a wrong answer to q.
func wrongOption(t *testing.T, q training.Question) string {
	t.Helper()
	for _, o := range q.Options {
		if !o.Correct {
			return o.ID
		}
	}
	t.Fatalf("question %s has no wrong option", q.ID)
	return ""
}

// fetched is a response the page fetched.
type fetched struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Body   string `json:"body"`
}

// fetch GETs path from the page, with the browser's cookies.
func (b *browser) fetch(path string) fetched {
	b.t.Helper()
	f, err := chromedp.Run(b.ctx, chromedp.Evaluate[fetched](fmt.Sprintf(
		`fetch(%q).then(async r => ({status: r.status, type: r.headers.get("Content-Type") || "", body: await r.text()}))`, path),
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail("fetch "+path, err)
	}
	return f
}
