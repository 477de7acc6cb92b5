package slackapp

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
)

func answerPiece(area string, lines ...string) packetPiece {
	return packetPiece{lines: append([]string{"### 2026-11-23", ""}, lines...), area: area}
}

// quoted quotes each line of text, as packetPieces does.
func quoted(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		out = append(out, strings.TrimRight("> "+l, " "))
	}
	return out
}

// TestLayoutPacket: a message ends between pieces of evidence; a piece longer
// than a message goes on at a paragraph break, else a line break; a single
// line longer than a message is cut between words and quoted again; every
// message fits.
func TestLayoutPacket(t *testing.T) {
	const limit = 200
	para := strings.TrimSpace(strings.Repeat("We moved the release train to weekly. ", 2)) // ~75 bytes
	long := strings.TrimSpace(strings.Repeat("Everyone on the team wrote one runbook page. ", 12))
	tests := []struct {
		name   string
		pieces []packetPiece
		// check is called with each message's lines.
		check func(t *testing.T, msgs [][]string)
	}{
		{"short pieces share a message and never split",
			[]packetPiece{{lines: []string{"# Promotion packet: a"}}, answerPiece("P", quoted("one")...), answerPiece("P", quoted("two")...), answerPiece("P", quoted(para)...), answerPiece("P", quoted(para)...)},
			func(t *testing.T, msgs [][]string) {
				if len(msgs) != 2 {
					t.Errorf("%d messages, want 2", len(msgs))
				}
				for _, m := range msgs {
					if m[len(m)-1] == "### 2026-11-23" || m[0] == "" {
						t.Errorf("a message starts or ends mid-piece: %q", m)
					}
				}
			}},
		{"a long answer goes on at a paragraph break",
			[]packetPiece{answerPiece("P", quoted(para+"\n"+para+"\n\n"+para+"\n"+para+"\n\n"+para)...)},
			func(t *testing.T, msgs [][]string) {
				if len(msgs) < 2 {
					t.Fatalf("%d messages, want the answer in several", len(msgs))
				}
				// The first message ends with a paragraph's last line, and the
				// next starts with the next paragraph's first.
				if got := msgs[0][len(msgs[0])-1]; got != "> "+para {
					t.Errorf("the first message ends with %q", got)
				}
				if msgs[1][0] != "> "+para {
					t.Errorf("the second message starts with %q", msgs[1][0])
				}
			}},
		{"a single long line is cut between words, and quoted again",
			[]packetPiece{answerPiece("P", quoted(long)...)},
			func(t *testing.T, msgs [][]string) {
				var words []string
				for _, m := range msgs {
					for _, l := range m {
						if !strings.HasPrefix(l, "> ") {
							continue
						}
						words = append(words, strings.Fields(strings.TrimPrefix(l, "> "))...)
					}
				}
				if got := strings.Join(words, " "); got != long {
					t.Errorf("the words put back together:\n%q\nwant\n%q", got, long)
				}
				if len(msgs[0]) < 3 || !strings.HasPrefix(msgs[0][2], "> ") {
					t.Errorf("the answer's title is alone in its message: %q", msgs[0])
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := layoutPacket(tt.pieces, limit)
			for i, m := range msgs {
				if n := linesSize(m); n > limit {
					t.Errorf("message %d measures %d, over the limit %d: %q", i+1, n, limit, m)
				}
			}
			tt.check(t, msgs)
		})
	}
}

// TestPacketNames: a mention becomes a name, laid out as if it took
// nameBudget, so a long name never pushes a message over; a name longer than
// that is cut, and escaped.
func TestPacketNames(t *testing.T) {
	line := "> Paired with " + nameMark + "U0BOSS" + nameMark + " and " + nameMark + "U0NEW" + nameMark + "."
	names := map[string]string{"U0BOSS": "Bob <Manager> & co", "U0NEW": strings.Repeat("Ünïcödé ", 20)}
	got := renderLines([]string{line}, func(id string) string { return names[id] })
	if !strings.HasPrefix(got, "&gt; Paired with Bob &lt;Manager&gt; &amp; co and Ünïcödé") || !strings.HasSuffix(got, "….") {
		t.Errorf("rendered %q", got)
	}
	if len(got) > measure(line) {
		t.Errorf("rendered %d bytes, more than the %d it was laid out in", len(got), measure(line))
	}
	if ids := packetNames([]string{line, line}); len(ids) != 2 || ids[0] != "U0BOSS" || ids[1] != "U0NEW" {
		t.Errorf("packetNames = %q", ids)
	}
}

// TestPacketPieces: the packet's head and pieces, as Markdown a doc reads:
// names for mentions, links as [text](url), plurals right.
func TestPacketPieces(t *testing.T) {
	l, err := prompts.Default()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	m := ladder.Member{UserID: "UALICE", Level: ladder.EM, Target: ladder.SeniorEM, Track: "broad"}
	r := ladder.Compute(l, ladder.SeniorEM, l.DefaultTrack(), nil, now)
	es := []ladder.Evidence{{UserID: "UALICE", Area: ladder.People, Created: now,
		Text: "Ran the review with <@U0BOSS> in <#C0INC|incidents>: <https://docs.example/r|the write-up>.\n\nR&amp;D agreed."}}
	pieces := packetPieces(l, m, "Alice", r, es, now)
	if len(pieces) != 2 {
		t.Fatalf("%d pieces, want the head and one answer", len(pieces))
	}
	head := strings.Join(pieces[0].lines, "\n")
	if !strings.Contains(head, "# Promotion packet: Alice") || !strings.Contains(head, "· 1 piece of evidence") {
		t.Errorf("head:\n%s", head)
	}
	text := renderLines(pieces[1].lines, func(string) string { return "Bob Manager" })
	want := "## People management\n\n### 2026-11-23\n\n&gt; Ran the review with Bob Manager in #incidents: [the write-up](https://docs.example/r).\n&gt;\n&gt; R&amp;D agreed."
	if text != want {
		t.Errorf("piece:\n%s\nwant\n%s", text, want)
	}
}

// TestCapPacket: a packet over the cap keeps whole pieces, then says what it
// leaves out, with the right plural.
func TestCapPacket(t *testing.T) {
	pieces := []packetPiece{{lines: []string{"# Promotion packet: a"}}}
	for i := range 6 {
		area := "People management"
		if i >= 3 {
			area = "Execution & delivering results"
		}
		pieces = append(pieces, answerPiece(area, quoted(fmt.Sprintf("answer %d %s", i, strings.Repeat("x", 300)))...))
	}
	msgs, cut := capPacket(pieces, 400, 3)
	if !cut || len(msgs) > 3 {
		t.Fatalf("cut = %v, %d messages; want cut to at most 3", cut, len(msgs))
	}
	all := strings.Join(msgs[len(msgs)-1], "\n")
	for _, want := range []string{"## Not in this packet", "(3 messages)", "Left out: the rest of People management; Execution & delivering results, with 4 more pieces of evidence."} {
		if !strings.Contains(all, want) {
			t.Errorf("the last message lacks %q:\n%s", want, all)
		}
	}
	if _, cut := capPacket(pieces[:2], 400, 3); cut {
		t.Error("a packet under the cap was cut")
	}
	if got := strings.Join(notInPacket(pieces, 6, 40).lines, "\n"); !strings.Contains(got, "Left out: the rest of Execution & delivering results, with 1 more piece of evidence.") {
		t.Errorf("one piece left out: %s", got)
	}
}

// TestMeasure: a line's size in a message, escaped, with names at their
// budget.
func TestMeasure(t *testing.T) {
	for _, s := range []string{"", "plain", "R&D <3 > ops", "&amp;&lt;"} {
		if got, want := measure(s), len(escapeText(s)); got != want {
			t.Errorf("measure(%q) = %d, want %d", s, got, want)
		}
	}
	line := "a & " + nameMark + "U1" + nameMark + " <" + nameMark + "U2" + nameMark
	if got, want := measure(line), len("a &amp; ")+nameBudget+len(" &lt;")+nameBudget; got != want {
		t.Errorf("measure with names = %d, want %d", got, want)
	}
}

// BenchmarkLayoutPacket lays out a packet of 20 answers of 40,000
// characters, as each message of an export does when it is sent.
func BenchmarkLayoutPacket(b *testing.B) {
	long := strings.Repeat("I led the migration and wrote it up. ", 40000/37)
	var pieces []packetPiece
	pieces = append(pieces, packetPiece{lines: []string{"# Promotion packet: a"}})
	for i := range 20 {
		pieces = append(pieces, answerPiece(fmt.Sprint(i%5), quoted(long)...))
	}
	for b.Loop() {
		capPacket(pieces, exportChunk, maxExportMessages)
	}
}
