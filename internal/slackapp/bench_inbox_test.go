package slackapp_test

import (
	"fmt"
	"testing"
)

// BenchmarkAckEvents measures the ack latency of Events API envelopes, which
// the inbox writes to its journal before it acks them, as the fake Slack
// sees it: a burst of 300 DM answers from 30 members, back to back. Each
// iteration is one burst. The work behind the acks (storing and confirming
// each answer) runs meanwhile, as it would.
//
//	go test -run='^$' -bench=AckEvents -benchtime=5x ./internal/slackapp/
func BenchmarkAckEvents(b *testing.B) {
	b.ReportAllocs()
	ba := newBenchApp(b, seededDB(b, benchNow), 0)
	users := burstUsers()
	var st burstStats
	sent := 0
	for b.Loop() {
		st.add(runBurst(b, ba.fake, burstSize, func(i int) (string, error) {
			u := users[i%len(users)]
			sent++
			return ba.fake.SendEvent("", ba.fake.DMEvent(u, fmt.Sprintf("answer %d from %s", sent, u), ba.fake.NewTS()), 0)
		}))
	}
	st.report(b)
	reportAppAck(b, ba.app)
}
