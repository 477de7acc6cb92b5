package ladder

import "testing"

func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		n    int
		unit string
		want string
	}{
		{0, "piece", "0 pieces"},
		{1, "piece", "1 piece"},
		{2, "manager's view", "2 manager's views"},
	} {
		if got := Plural(tc.n, tc.unit); got != tc.want {
			t.Errorf("Plural(%d, %q) = %q, want %q", tc.n, tc.unit, got, tc.want)
		}
	}
}
