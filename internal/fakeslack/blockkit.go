package fakeslack

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Surface is where blocks are shown. Slack allows different blocks, and a different
// number of them, on each.
type Surface int

// The surfaces of Block Kit.
const (
	SurfaceMessage Surface = iota + 1
	SurfaceModal
	SurfaceHome
)

func (s Surface) String() string {
	switch s {
	case SurfaceMessage:
		return "message"
	case SurfaceModal:
		return "modal"
	case SurfaceHome:
		return "home"
	}
	return fmt.Sprintf("Surface(%d)", int(s))
}

// The limits below come from Slack's Block Kit reference; the report of the change
// that introduced them names the page for each.
const (
	maxMessageBlocks  = 50   // reference/block-kit/blocks: "up to 50 blocks in each message"
	maxViewBlocks     = 100  // ...and "100 blocks in modals or Home tabs"
	maxTextObject     = 3000 // composition-objects/text-object: "maximum length is 3000"
	maxSectionText    = 3000 // blocks/section-block
	maxSectionFields  = 10   // blocks/section-block: fields "Maximum number of items is 10"
	maxFieldText      = 2000 // ...each field's text "2000 characters"
	maxHeaderText     = 150  // blocks/header-block
	maxButtonText     = 75   // block-elements/button-element
	maxButtonValue    = 2000 // block-elements/button-element
	maxButtonURL      = 3000 // block-elements/button-element
	maxID             = 255  // block_id, action_id, callback_id, external_id
	maxActions        = 25   // blocks/actions-block
	maxContext        = 10   // blocks/context-block
	maxInputLabel     = 2000 // blocks/input-block: label and hint
	maxPlaceholder    = 150  // block-elements/plain-text-input-element: placeholder
	maxInputLength    = 3000 // plain-text-input-element: min_length and max_length
	maxViewButtonText = 24   // views/modal-views: title, submit and close
	maxPrivateMeta    = 3000 // views/modal-views: private_metadata
)

// BlockError is Slack's refusal of blocks or a view: the error code and one problem
// per fault, each with the JSON pointer Slack names.
type BlockError struct {
	// Code is "invalid_blocks" for a message's blocks and "invalid_arguments" for a
	// view, as chat.* and views.* answer.
	Code     string
	Problems []Problem
}

// Problem is one fault Slack reports, such as "must be less than 3001 characters"
// at "/blocks/0/text/text".
type Problem struct {
	Pointer string
	Message string
}

// String is the problem as Slack writes it in an invalid_blocks answer's errors.
func (p Problem) String() string {
	return fmt.Sprintf("%s [json-pointer:%s]", p.Message, p.Pointer)
}

// Errors are the problems as the "errors" field of an invalid_blocks answer.
func (e *BlockError) Errors() []string {
	out := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p.String()
	}
	return out
}

// Messages are the problems as response_metadata.messages, with Slack's "[ERROR]".
func (e *BlockError) Messages() []string {
	out := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = "[ERROR] " + p.String()
	}
	return out
}

func (e *BlockError) Error() string {
	return e.Code + ": " + strings.Join(e.Errors(), "; ")
}

// CheckBlocks checks a JSON array of blocks against Slack's Block Kit rules for
// surface. It returns nil or a *BlockError whose pointers start at /blocks.
func CheckBlocks(surface Surface, blocks json.RawMessage) error {
	c := &checker{surface: surface, blockIDs: map[string]bool{}}
	var v any
	if err := json.Unmarshal(blocks, &v); err != nil {
		c.add("/blocks", "must be a JSON array of blocks")
	} else {
		c.blocks("/blocks", v)
	}
	return c.err("invalid_blocks")
}

// CheckView checks a view object, a modal or a Home tab, against Slack's rules for
// views and the blocks in them. It returns nil or a *BlockError with the code
// invalid_arguments, as views.* answer, and pointers starting at /view.
func CheckView(view json.RawMessage) error {
	c := &checker{blockIDs: map[string]bool{}}
	var obj map[string]any
	if json.Unmarshal(view, &obj) != nil || obj == nil {
		c.add("/view", "must be a JSON object")
		return c.err("invalid_arguments")
	}
	switch t, _ := obj["type"].(string); t {
	case "modal":
		c.surface = SurfaceModal
		c.modal(obj)
	case "home":
		c.surface = SurfaceHome
	default:
		c.add("/view/type", "must be one of: modal, home")
		return c.err("invalid_arguments")
	}
	c.maxString("/view/private_metadata", obj["private_metadata"], maxPrivateMeta)
	c.maxString("/view/callback_id", obj["callback_id"], maxID)
	c.maxString("/view/external_id", obj["external_id"], maxID)
	if obj["blocks"] == nil {
		c.add("/view/blocks", "missing required field: blocks")
	} else {
		c.blocks("/view/blocks", obj["blocks"])
	}
	return c.err("invalid_arguments")
}

// checker gathers the problems of one message or view.
type checker struct {
	surface  Surface
	problems []Problem
	// blockIDs holds the block ids seen so far: unique within a message or view.
	blockIDs map[string]bool
}

func (c *checker) add(ptr, format string, args ...any) {
	c.problems = append(c.problems, Problem{Pointer: ptr, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) err(code string) error {
	if len(c.problems) == 0 {
		return nil
	}
	return &BlockError{Code: code, Problems: c.problems}
}

func (c *checker) modal(obj map[string]any) {
	if obj["title"] == nil {
		c.add("/view/title", "missing required field: title")
	} else {
		c.text("/view/title", obj["title"], "plain_text", maxViewButtonText)
	}
	if obj["submit"] != nil {
		c.text("/view/submit", obj["submit"], "plain_text", maxViewButtonText)
	}
	if obj["close"] != nil {
		c.text("/view/close", obj["close"], "plain_text", maxViewButtonText)
	}
	// views/modal-views: "submit is required when an input block is within the
	// blocks array". Count the inputs before the blocks are checked in full.
	if blocks, _ := obj["blocks"].([]any); obj["submit"] == nil {
		for _, b := range blocks {
			if m, _ := b.(map[string]any); m != nil && m["type"] == "input" {
				c.add("/view/submit", "missing required field: submit (the view has an input block)")
				break
			}
		}
	}
}

func (c *checker) blocks(ptr string, v any) {
	list, isList := v.([]any)
	if !isList {
		c.add(ptr, "must be an array")
		return
	}
	limit := maxViewBlocks
	if c.surface == SurfaceMessage {
		limit = maxMessageBlocks
	}
	if len(list) > limit {
		c.add(ptr, "no more than %d items allowed", limit)
	}
	for i, b := range list {
		c.block(fmt.Sprintf("%s/%d", ptr, i), b)
	}
}

func (c *checker) block(ptr string, v any) {
	b, isObj := v.(map[string]any)
	if !isObj {
		c.add(ptr, "must be an object")
		return
	}
	if id, present := b["block_id"]; present {
		s, isStr := id.(string)
		switch {
		case !isStr || s == "":
			c.add(ptr+"/block_id", "must be a non-empty string")
		case utf8.RuneCountInString(s) > maxID:
			c.tooLong(ptr+"/block_id", maxID)
		case c.blockIDs[s]:
			c.add(ptr+"/block_id", "duplicate block_id: %s", s)
		default:
			c.blockIDs[s] = true
		}
	}
	t, _ := b["type"].(string)
	switch t {
	case "section":
		c.section(ptr, b)
	case "header":
		c.required(ptr, b, "text")
		if b["text"] != nil {
			c.text(ptr+"/text", b["text"], "plain_text", maxHeaderText)
		}
	case "actions":
		c.actions(ptr, b)
	case "context":
		c.context(ptr, b)
	case "input":
		c.input(ptr, b)
	case "divider", "image", "rich_text", "file", "video", "markdown":
		// Accepted as they are: Ladder sends none of their details.
	case "":
		c.add(ptr+"/type", "missing required field: type")
	default:
		c.add(ptr+"/type", "unsupported type: %s", t)
	}
}

func (c *checker) required(ptr string, obj map[string]any, field string) {
	if obj[field] == nil {
		c.add(ptr+"/"+field, "missing required field: %s", field)
	}
}

func (c *checker) section(ptr string, b map[string]any) {
	if b["text"] == nil && b["fields"] == nil {
		c.add(ptr, "must define either `text` or `fields`")
	}
	if b["text"] != nil {
		c.text(ptr+"/text", b["text"], "", maxSectionText)
	}
	if f, present := b["fields"]; present {
		fields, isList := f.([]any)
		switch {
		case !isList:
			c.add(ptr+"/fields", "must be an array")
		case len(fields) == 0:
			c.add(ptr+"/fields", "must contain at least 1 item")
		case len(fields) > maxSectionFields:
			c.add(ptr+"/fields", "no more than %d items allowed", maxSectionFields)
		}
		for i, x := range fields {
			c.text(fmt.Sprintf("%s/fields/%d", ptr, i), x, "", maxFieldText)
		}
	}
	if a := b["accessory"]; a != nil {
		c.element(ptr+"/accessory", a, nil)
	}
}

// elements reads a block's elements: a list of 1 to most items. It reports
// what is wrong and returns what there is to check further.
func (c *checker) elements(ptr string, b map[string]any, most int) []any {
	els, isList := b["elements"].([]any)
	switch {
	case b["elements"] == nil:
		c.add(ptr+"/elements", "missing required field: elements")
	case !isList:
		c.add(ptr+"/elements", "must be an array")
	case len(els) == 0:
		c.add(ptr+"/elements", "must contain at least 1 item")
	case len(els) > most:
		c.add(ptr+"/elements", "no more than %d items allowed", most)
	}
	return els
}

func (c *checker) actions(ptr string, b map[string]any) {
	els := c.elements(ptr, b, maxActions)
	// block-elements: action_id "should be unique among all other action_ids in
	// the containing block".
	seen := map[string]bool{}
	for i, e := range els {
		c.element(fmt.Sprintf("%s/elements/%d", ptr, i), e, seen)
	}
}

func (c *checker) context(ptr string, b map[string]any) {
	els := c.elements(ptr, b, maxContext)
	for i, e := range els {
		p := fmt.Sprintf("%s/elements/%d", ptr, i)
		if m, _ := e.(map[string]any); m != nil && m["type"] == "image" {
			continue
		}
		c.text(p, e, "", maxTextObject)
	}
}

func (c *checker) input(ptr string, b map[string]any) {
	// blocks/input-block is available in modals and Home tabs, not in messages.
	if c.surface == SurfaceMessage {
		c.add(ptr+"/type", "unsupported type: input (not allowed in messages)")
		return
	}
	c.required(ptr, b, "label")
	if b["label"] != nil {
		c.text(ptr+"/label", b["label"], "plain_text", maxInputLabel)
	}
	if b["hint"] != nil {
		c.text(ptr+"/hint", b["hint"], "plain_text", maxInputLabel)
	}
	c.required(ptr, b, "element")
	if e := b["element"]; e != nil {
		c.element(ptr+"/element", e, nil)
	}
}

// elementTypes are the block elements of Slack's reference.
var elementTypes = map[string]bool{
	"button": true, "checkboxes": true, "datepicker": true, "datetimepicker": true,
	"email_text_input": true, "file_input": true, "image": true, "multi_static_select": true,
	"multi_external_select": true, "multi_users_select": true, "multi_conversations_select": true,
	"multi_channels_select": true, "number_input": true, "overflow": true, "plain_text_input": true,
	"radio_buttons": true, "rich_text_input": true, "static_select": true, "external_select": true,
	"users_select": true, "conversations_select": true, "channels_select": true, "timepicker": true,
	"url_text_input": true, "workflow_button": true,
}

// element checks one block element. seen collects the action ids of its block,
// where they must be unique; nil for a block that holds one element.
func (c *checker) element(ptr string, v any, seen map[string]bool) {
	e, isObj := v.(map[string]any)
	if !isObj {
		c.add(ptr, "must be an object")
		return
	}
	t, _ := e["type"].(string)
	if !elementTypes[t] {
		c.add(ptr+"/type", "unsupported type: %s", t)
		return
	}
	if id, present := e["action_id"]; present {
		s, isStr := id.(string)
		switch {
		case !isStr || s == "":
			c.add(ptr+"/action_id", "must be a non-empty string")
		case utf8.RuneCountInString(s) > maxID:
			c.tooLong(ptr+"/action_id", maxID)
		case seen[s]:
			c.add(ptr+"/action_id", "duplicate action_id: %s", s)
		case seen != nil:
			seen[s] = true
		}
	}
	switch t {
	case "button":
		c.required(ptr, e, "text")
		if e["text"] != nil {
			c.text(ptr+"/text", e["text"], "plain_text", maxButtonText)
		}
		c.maxString(ptr+"/value", e["value"], maxButtonValue)
		c.maxString(ptr+"/url", e["url"], maxButtonURL)
		if s, present := e["style"]; present && s != "primary" && s != "danger" {
			c.add(ptr+"/style", "must be one of: primary, danger")
		}
	case "plain_text_input":
		c.plainTextInput(ptr, e)
	}
	c.choices(ptr, t, e) // blockkit_choice.go
	if p := e["placeholder"]; p != nil {
		c.text(ptr+"/placeholder", p, "plain_text", maxPlaceholder)
	}
}

func (c *checker) plainTextInput(ptr string, e map[string]any) {
	minLen, hasMin := c.intField(ptr+"/min_length", e["min_length"], 0, maxInputLength)
	maxLen, hasMax := c.intField(ptr+"/max_length", e["max_length"], 1, maxInputLength)
	if hasMin && hasMax && minLen > maxLen {
		c.add(ptr+"/min_length", "must not be greater than max_length")
	}
}

// intField checks that v, if present, is a whole number within [lo, hi].
func (c *checker) intField(ptr string, v any, lo, hi int) (int, bool) {
	if v == nil {
		return 0, false
	}
	f, isNum := v.(float64)
	if !isNum || f != float64(int(f)) {
		c.add(ptr, "must be an integer")
		return 0, false
	}
	n := int(f)
	if n < lo || n > hi {
		c.add(ptr, "must be between %d and %d", lo, hi)
		return n, false
	}
	return n, true
}

// text checks a text object. want is "plain_text" where the reference allows only
// that type, or empty for either.
func (c *checker) text(ptr string, v any, want string, limit int) {
	before := len(c.problems)
	defer func() {
		// Slack reports a bad text object at the object too, as it matches
		// neither text schema.
		if len(c.problems) > before {
			c.problems = append(c.problems[:before],
				append([]Problem{{Pointer: ptr, Message: "failed to match all allowed schemas"}}, c.problems[before:]...)...)
		}
	}()
	o, isObj := v.(map[string]any)
	if !isObj {
		c.add(ptr, "must be a text object")
		return
	}
	t, _ := o["type"].(string)
	switch {
	case t != "plain_text" && t != "mrkdwn":
		c.add(ptr+"/type", "must be one of: plain_text, mrkdwn")
	case want != "" && t != want:
		c.add(ptr+"/type", "must be %s", want)
	}
	if _, present := o["emoji"]; present && t == "mrkdwn" {
		c.add(ptr+"/emoji", "only allowed with plain_text")
	}
	if _, present := o["verbatim"]; present && t == "plain_text" {
		c.add(ptr+"/verbatim", "only allowed with mrkdwn")
	}
	s, isStr := o["text"].(string)
	switch {
	case o["text"] == nil:
		c.add(ptr+"/text", "missing required field: text")
	case !isStr:
		c.add(ptr+"/text", "must be a string")
	case s == "":
		c.add(ptr+"/text", "must be more than 0 characters")
	case utf8.RuneCountInString(s) > limit:
		c.tooLong(ptr+"/text", limit)
	}
}

// maxString checks that v, if present, is a string of at most limit characters.
func (c *checker) maxString(ptr string, v any, limit int) {
	if v == nil {
		return
	}
	s, isStr := v.(string)
	if !isStr {
		c.add(ptr, "must be a string")
		return
	}
	if utf8.RuneCountInString(s) > limit {
		c.tooLong(ptr, limit)
	}
}

// tooLong words a length limit as Slack does: "less than 3001" for a limit of 3000.
func (c *checker) tooLong(ptr string, limit int) {
	c.add(ptr, "must be less than %d characters", limit+1)
}
