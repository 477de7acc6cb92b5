package fakeslack

import (
	"bytes"
	"encoding/json"
)

// hasBlocks reports whether raw holds at least one block.
func hasBlocks(raw json.RawMessage) bool {
	var blocks []json.RawMessage
	return json.Unmarshal(raw, &blocks) == nil && len(blocks) > 0
}

// nullToNil turns a JSON null into no value, as slack-go sends "blocks": null for a
// message without blocks.
func nullToNil(raw json.RawMessage) json.RawMessage {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil
	}
	return raw
}

// findAction finds the interactive element with actionID in blocks, and the id of
// the block holding it. It returns a nil element if there is none.
func findAction(blocks any, actionID string) (blockID string, element map[string]any) {
	var walk func(v any, block string) bool
	walk = func(v any, block string) bool {
		switch v := v.(type) {
		case map[string]any:
			if id, _ := v["block_id"].(string); id != "" {
				block = id
			}
			if id, _ := v["action_id"].(string); id == actionID {
				blockID, element = block, v
				return true
			}
			for _, x := range v {
				if walk(x, block) {
					return true
				}
			}
		case []any:
			for _, x := range v {
				if walk(x, block) {
					return true
				}
			}
		}
		return false
	}
	walk(blocks, "")
	return blockID, element
}

// decode turns raw JSON into plain Go values, or nil.
func decode(raw json.RawMessage) any {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	return v
}

// deepCopy copies a JSON-shaped map, so that what a builder returns shares nothing
// with what the server keeps.
func deepCopy(m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		return map[string]any{}
	}
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}
