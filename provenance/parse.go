package provenance

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Parsed is what a verifier reads from a statement, hoist's or another
// builder's: predicates other than SLSA v1 decode as well.
type Parsed struct {
	PredicateType string
	BuildType     string
	BuilderID     string
	// Subjects are sorted by digest; a Digest is "sha256:<hex>", or "" for a
	// subject given by other algorithms only.
	Subjects []Subject
}

// Parse decodes an in-toto Statement v1 (not a DSSE envelope).
func Parse(data []byte) (Parsed, error) {
	var st struct {
		Type          string `json:"_type"`
		PredicateType string `json:"predicateType"`
		Subject       []struct {
			Name   string            `json:"name"`
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
		Predicate struct {
			BuildDefinition struct {
				BuildType string `json:"buildType"`
			} `json:"buildDefinition"`
			RunDetails struct {
				Builder struct {
					ID string `json:"id"`
				} `json:"builder"`
			} `json:"runDetails"`
		} `json:"predicate"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return Parsed{}, fmt.Errorf("decoding in-toto statement: %w", err)
	}
	if st.Type != StatementType {
		return Parsed{}, fmt.Errorf("decoding in-toto statement: _type %q, want %s", st.Type, StatementType)
	}
	p := Parsed{PredicateType: st.PredicateType, BuildType: st.Predicate.BuildDefinition.BuildType,
		BuilderID: st.Predicate.RunDetails.Builder.ID}
	for _, s := range st.Subject {
		sub := Subject{Name: s.Name}
		// A malformed digest could never match an image, and printed in a
		// report it could forge lines: it counts as no sha256 at all.
		if h := s.Digest["sha256"]; isHex64(h) {
			sub.Digest = "sha256:" + h
		}
		p.Subjects = append(p.Subjects, sub)
	}
	sort.Slice(p.Subjects, func(i, j int) bool { return p.Subjects[i].Digest < p.Subjects[j].Digest })
	return p, nil
}

func isHex64(h string) bool {
	if len(h) != 64 {
		return false
	}
	for _, c := range h {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Covers reports whether digest ("sha256:<hex>") is one of the subjects.
func (p Parsed) Covers(digest string) bool {
	for _, s := range p.Subjects {
		if s.Digest == digest {
			return true
		}
	}
	return false
}
