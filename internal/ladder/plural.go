package ladder

import "fmt"

// Plural counts n of unit in English, with the unit's plural by an s: "1
// piece", "3 pieces". Units whose plural is not an s are worded to avoid it.
func Plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
