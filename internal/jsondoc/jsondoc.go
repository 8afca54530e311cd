package jsondoc

import (
	"bytes"
	"encoding/json"
)

// Marshal encodes v indented by two spaces, HTML characters unescaped, with
// a final newline.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
