package fakeslack_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/fakeslack"
)

// TestUploadFileShares: slack-go's three steps upload a file and share it in
// a DM: the file keeps its name, title and bytes, the message its comment,
// and conversations.history lists the share with the file.
func TestUploadFileShares(t *testing.T) {
	srv := newServer(t)
	web := api(srv)
	content := "# Packet\n\n- one\n"
	u, err := web.GetUploadURLExternalContext(t.Context(), slack.GetUploadURLExternalParameters{FileName: "packet.md", FileSize: len(content)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u.UploadURL, "http://127.0.0.1") || u.FileID == "" {
		t.Fatalf("upload url %q, file %q; want one on the fake's own host, and an id", u.UploadURL, u.FileID)
	}
	if err := web.UploadToURL(t.Context(), slack.UploadToURLParameters{UploadURL: u.UploadURL, Content: content, Filename: "packet.md"}); err != nil {
		t.Fatal(err)
	}
	done, err := web.CompleteUploadExternalContext(t.Context(), slack.CompleteUploadExternalParameters{
		Files: []slack.FileSummary{{ID: u.FileID, Title: "Packet"}}, Channel: "DU1", InitialComment: "here it is"})
	if err != nil {
		t.Fatal(err)
	}
	if len(done.Files) != 1 || done.Files[0].ID != u.FileID || done.Files[0].Title != "Packet" {
		t.Fatalf("complete = %+v", done.Files)
	}
	fs := srv.Files("U1")
	if len(fs) != 1 || fs[0].Name != "packet.md" || fs[0].Title != "Packet" || string(fs[0].Content) != content || fs[0].Comment != "here it is" {
		t.Fatalf("files in U1's DM = %+v", fs)
	}
	if others := srv.Files("U2"); len(others) != 0 {
		t.Fatalf("files in U2's DM = %+v; want none", others)
	}
	h, err := web.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "DU1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Messages) != 1 || len(h.Messages[0].Files) != 1 || h.Messages[0].Files[0].Title != "Packet" ||
		h.Messages[0].Text != "here it is" || h.Messages[0].BotID == "" {
		t.Fatalf("history = %+v; want the bot's share with its file", h.Messages)
	}

	// "This method can only be called once."
	_, err = web.CompleteUploadExternalContext(t.Context(), slack.CompleteUploadExternalParameters{
		Files: []slack.FileSummary{{ID: u.FileID}}, Channel: "DU1"})
	if !isSlackError(err, "file_not_found") {
		t.Errorf("second completion: %v; want file_not_found", err)
	}
	if n := len(srv.Files("U1")); n != 1 {
		t.Errorf("%d files in the DM after a second completion; want 1", n)
	}
}

// TestUploadRules: the fake refuses what Slack's pages say it refuses.
func TestUploadRules(t *testing.T) {
	srv := newServer(t)
	web := api(srv)
	post := func(method string, form url.Values) map[string]any {
		t.Helper()
		form.Set("token", srv.BotToken)
		resp, err := http.PostForm(srv.APIURL()+method, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return body
	}
	if b := post("files.getUploadURLExternal", url.Values{"filename": {"a.md"}}); b["error"] != "missing_argument" {
		t.Errorf("no length: %v; want missing_argument", b)
	}
	if b := post("files.getUploadURLExternal", url.Values{"filename": {"a.md"}, "length": {"0"}}); b["error"] != "missing_argument" {
		t.Errorf("length 0: %v; want missing_argument", b)
	}
	if b := post("files.getUploadURLExternal", url.Values{"length": {"3"}}); b["error"] != "missing_argument" {
		t.Errorf("no filename: %v; want missing_argument", b)
	}

	// The bytes must be as many as declared.
	u, err := web.GetUploadURLExternalContext(t.Context(), slack.GetUploadURLExternalParameters{FileName: "a.md", FileSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := web.UploadToURL(t.Context(), slack.UploadToURLParameters{UploadURL: u.UploadURL, Content: "short", Filename: "a.md"}); err == nil {
		t.Error("5 bytes uploaded for a length of 10: accepted")
	}
	// Not uploaded, so not found.
	_, err = web.CompleteUploadExternalContext(t.Context(), slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: u.FileID}}, Channel: "DU1"})
	if !isSlackError(err, "file_not_found") {
		t.Errorf("completing a file never uploaded: %v; want file_not_found", err)
	}
	_, err = web.CompleteUploadExternalContext(t.Context(), slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: "FNOPE"}}, Channel: "DU1"})
	if !isSlackError(err, "file_not_found") {
		t.Errorf("unknown file id: %v; want file_not_found", err)
	}

	// Raw bytes work too; channel_id takes a conversation, not a user id.
	u, err = web.GetUploadURLExternalContext(t.Context(), slack.GetUploadURLExternalParameters{FileName: "b.md", FileSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(u.UploadURL, "application/octet-stream", strings.NewReader("abc"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("raw upload: %d %s", resp.StatusCode, body)
	}
	_, err = web.CompleteUploadExternalContext(t.Context(), slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: u.FileID}}, Channel: "U1"})
	if !isSlackError(err, "channel_not_found") {
		t.Errorf("channel_id a user id: %v; want channel_not_found", err)
	}
	// Without a channel the file stays private: nobody is shown it.
	if _, err := web.CompleteUploadExternalContext(t.Context(), slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: u.FileID}}}); err != nil {
		t.Fatal(err)
	}
	for _, m := range srv.Messages() {
		if m.Kind == "file" {
			t.Errorf("a private file was shared: %+v", m)
		}
	}
}

// TestMissingScope: a method whose scope the token lacks answers
// missing_scope with needed and provided, and does nothing; by default the
// token has every bot scope of manifest.yaml.
func TestMissingScope(t *testing.T) {
	srv := newServer(t)
	if got, want := srv.Scopes(), fakeslack.ManifestScopes(); !slices.Equal(got, want) || !slices.Contains(got, "files:write") {
		t.Fatalf("default scopes %v; want the manifest's %v, files:write among them", got, want)
	}
	srv.RevokeScope("files:write")
	if slices.Contains(srv.Scopes(), "files:write") {
		t.Fatal("files:write still granted after RevokeScope")
	}
	form := url.Values{"token": {srv.BotToken}, "filename": {"a.md"}, "length": {"3"}}
	resp, err := http.PostForm(srv.APIURL()+"files.getUploadURLExternal", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body["ok"] != false || body["error"] != "missing_scope" || body["needed"] != "files:write" ||
		!strings.Contains(body["provided"].(string), "chat:write") || strings.Contains(body["provided"].(string), "files:write") {
		t.Fatalf("answer = %v; want missing_scope, needed files:write, provided the rest", body)
	}
	// The other methods still work.
	if _, _, err := api(srv).PostMessage("U1", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatal(err)
	}
	srv.SetScopes("chat:write")
	if _, err := api(srv).GetUserInfo("U1"); !isSlackError(err, "missing_scope") {
		t.Errorf("users.info without users:read: %v; want missing_scope", err)
	}
}

func isSlackError(err error, code string) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se) && se.Err == code
}
