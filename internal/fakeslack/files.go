package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// This file is Slack's external file upload, as the pages of
// files.getUploadURLExternal and files.completeUploadExternal at
// api.slack.com/methods describe it:
//
//  1. files.getUploadURLExternal takes filename and length (both required;
//     missing_argument "typically only occurs when the length provided is
//     0") and answers upload_url and file_id.
//  2. The client POSTs the bytes to upload_url, raw or multipart form
//     encoded; "Slack will return HTTP 200 if the upload is successful; a
//     non-200 response indicates a failure". The fake refuses bytes whose
//     count is not the length asked for, with a 400.
//  3. files.completeUploadExternal takes files, a JSON array of {id, title},
//     and shares them in channel_id (a channel id; "If not specified the
//     file will be private") with initial_comment as the message's text.
//     "This method can only be called once": a file id that was never
//     uploaded, or was completed already, answers file_not_found ("Could
//     not find the file from the upload ticket"); a channel_id that is not a
//     conversation answers channel_not_found ("Value passed for channel_id
//     was invalid").
//
// Both methods need files:write (scopes.go) and are Tier 4 (ratelimit.go).
// The message a share posts is listed by conversations.history with its
// files, so that an app can look for it.

// uploadPath is where upload URLs point, on the server's own host: slack-go
// sends the bot token with the bytes, and only to a Slack host or the API's.
const uploadPath = "/upload/v1/"

// uploadMethod is the method name under which posts to an upload URL are
// recorded.
const uploadMethod = "upload_url"

// File is a file the app uploaded and shared.
type File struct {
	ID    string
	Name  string // the filename given to files.getUploadURLExternal
	Title string // the title given to files.completeUploadExternal, else Name
	// Content is the bytes posted to the upload URL.
	Content []byte
	// Channel and TS are the message that shared it; Comment its text.
	Channel, TS, Comment string
}

// fileState holds the uploads. Guarded by Server.mu; the zero value is ready.
type fileState struct {
	byID    map[string]*upload
	tickets map[string]string // upload ticket → file id
	shared  map[msgKey][]string
}

// upload is one file on its way through the three steps.
type upload struct {
	file      File
	length    int
	uploaded  bool
	completed bool
}

func (f *fileState) init() {
	if f.byID == nil {
		f.byID, f.tickets, f.shared = map[string]*upload{}, map[string]string{}, map[msgKey][]string{}
	}
}

// withFiles adds the two files methods to methods, and lists each file share
// with its files in conversations.history.
func (s *Server) withFiles(methods map[string]func(Call) reply) map[string]func(Call) reply {
	methods["files.getUploadURLExternal"] = s.getUploadURL
	methods["files.completeUploadExternal"] = s.completeUpload
	history := methods["conversations.history"]
	methods["conversations.history"] = func(c Call) reply {
		r := history(c)
		msgs, _ := r.body["messages"].([]map[string]any)
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, m := range msgs {
			ts, _ := m["ts"].(string)
			ids := s.files.shared[msgKey{c.Params.Get("channel"), ts}]
			if len(ids) == 0 {
				continue
			}
			var fs []map[string]any
			for _, id := range ids {
				f := s.files.byID[id].file
				fs = append(fs, map[string]any{"id": f.ID, "name": f.Name, "title": f.Title,
					"size": len(f.Content), "filetype": "markdown", "user": s.BotUserID})
			}
			m["files"], m["upload"], m["display_as_bot"] = fs, true, false
		}
		return r
	}
	return methods
}

func (s *Server) getUploadURL(c Call) reply {
	name := c.Params.Get("filename")
	length, err := strconv.Atoi(c.Params.Get("length"))
	switch {
	case name == "" || c.Params.Get("length") == "" || (err == nil && length == 0):
		return fail("missing_argument")
	case err != nil || length < 0:
		return fail("invalid_arguments")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files.init()
	id := fmt.Sprintf("F%08d", s.nextLocked())
	ticket := fmt.Sprintf("ticket%d-%d", s.nextLocked(), time.Now().UnixNano())
	s.files.byID[id] = &upload{file: File{ID: id, Name: name}, length: length}
	s.files.tickets[ticket] = id
	return ok(map[string]any{"upload_url": s.http.URL + uploadPath + ticket, "file_id": id})
}

// serveUpload takes the bytes of a file posted to its upload URL.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	c := Call{Method: uploadMethod, At: time.Now(), Status: http.StatusOK}
	defer func() { s.recordCall(c) }()
	if r.Method != http.MethodPost {
		c.Status, c.Error = http.StatusMethodNotAllowed, "method_not_allowed"
		http.Error(w, c.Error, c.Status)
		return
	}
	data, err := uploadedBytes(r)
	if err != nil {
		c.Status, c.Error = http.StatusBadRequest, err.Error()
		http.Error(w, c.Error, c.Status)
		return
	}
	c.Body = data
	s.mu.Lock()
	s.files.init()
	u := s.files.byID[s.files.tickets[strings.TrimPrefix(r.URL.Path, uploadPath)]]
	switch {
	case u == nil || u.completed:
		c.Status, c.Error = http.StatusNotFound, "unknown upload ticket"
	case len(data) != u.length:
		c.Status, c.Error = http.StatusBadRequest, fmt.Sprintf("%d bytes uploaded, %d declared", len(data), u.length)
	default:
		u.file.Content, u.uploaded = data, true
	}
	s.mu.Unlock()
	if c.Error != "" {
		http.Error(w, c.Error, c.Status)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = fmt.Fprintf(w, "OK - %d", len(data))
}

// uploadedBytes reads the file from a raw body or a multipart form: the
// first part that carries a file name, else the first part.
func uploadedBytes(r *http.Request) ([]byte, error) {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return io.ReadAll(io.LimitReader(r.Body, 64<<20))
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var first []byte
	for i := 0; ; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("bad multipart body: %w", err)
		}
		b, err := io.ReadAll(io.LimitReader(p, 64<<20))
		if err != nil {
			return nil, err
		}
		if p.FileName() != "" {
			return b, nil
		}
		if i == 0 {
			first = b
		}
	}
	if first == nil {
		return nil, fmt.Errorf("no file in the form")
	}
	return first, nil
}

func (s *Server) completeUpload(c Call) reply {
	var want []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if json.Unmarshal([]byte(c.Params.Get("files")), &want) != nil || len(want) == 0 {
		return fail("invalid_arguments")
	}
	var channels []string
	if ch := c.Params.Get("channel_id"); ch != "" {
		if strings.HasPrefix(ch, "U") || strings.HasPrefix(ch, "W") {
			return fail("channel_not_found") // a user id is not a conversation
		}
		channels = append(channels, ch)
	}
	if list := c.Params.Get("channels"); list != "" {
		for ch := range strings.SplitSeq(list, ",") {
			channels = append(channels, resolveChannel(strings.TrimSpace(ch)))
		}
	}
	if len(channels) > 100 {
		return fail("channels_limit_exceeded")
	}
	comment, thread := c.Params.Get("initial_comment"), c.Params.Get("thread_ts")

	s.mu.Lock()
	s.files.init()
	seen := map[string]bool{}
	for _, f := range want {
		u := s.files.byID[f.ID]
		if u == nil || !u.uploaded || u.completed || seen[f.ID] {
			s.mu.Unlock()
			return fail("file_not_found")
		}
		seen[f.ID] = true
	}
	var out []map[string]any
	for _, f := range want {
		u := s.files.byID[f.ID]
		u.completed = true
		u.file.Title = f.Title
		if u.file.Title == "" {
			u.file.Title = u.file.Name
		}
		out = append(out, map[string]any{"id": f.ID, "title": u.file.Title})
	}
	var msgs []Message
	for _, ch := range channels {
		ts := s.newTSLocked()
		var ids []string
		var fs []File
		for _, f := range want {
			u := s.files.byID[f.ID]
			u.file.Channel, u.file.TS, u.file.Comment = ch, ts, comment
			ids = append(ids, f.ID)
			fs = append(fs, u.file)
		}
		s.files.shared[msgKey{ch, ts}] = ids
		s.web.posted[msgKey{ch, ts}] = &posted{text: comment, threadTS: thread}
		msgs = append(msgs, Message{Kind: "file", Channel: ch, Text: comment, ThreadTS: thread, TS: ts, Files: fs})
	}
	s.mu.Unlock()
	for _, m := range msgs {
		s.recordMessage(m)
	}
	return ok(map[string]any{"files": out})
}

// Files returns the files shared in channel so far, in the order they were
// shared. A user id stands for the bot's DM with the user.
func (s *Server) Files(channel string) []File {
	channel = resolveChannel(channel)
	var out []File
	for _, m := range s.Messages() {
		if m.Kind == "file" && m.Channel == channel {
			out = append(out, m.Files...)
		}
	}
	return out
}
