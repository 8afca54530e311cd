package kube

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// Decode reads a YAML or JSON stream into objects, in order. Empty
// documents are dropped and a List's items are spliced in where the List
// stood, as kubectl does. Every object must name its apiVersion, kind and
// metadata.name: server-side apply has no generateName.
func Decode(stream []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(stream), 4096)
	var out []*unstructured.Unstructured
	for doc := 1; ; doc++ {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("decoding document %d: %w", doc, err)
		}
		if t := bytes.TrimSpace(raw); len(t) == 0 || bytes.Equal(t, []byte("null")) {
			continue
		}
		// apimachinery's json keeps integers int64, as the API types and
		// Unstructured's accessors expect, where encoding/json would make
		// every number a float64.
		var m map[string]any
		if err := utiljson.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("decoding document %d: %w", doc, err)
		}
		if len(m) == 0 {
			continue
		}
		objs, err := expand(&unstructured.Unstructured{Object: m})
		if err != nil {
			return nil, fmt.Errorf("decoding document %d: %w", doc, err)
		}
		out = append(out, objs...)
	}
}

func expand(u *unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	if !u.IsList() {
		if err := check(u); err != nil {
			return nil, err
		}
		return []*unstructured.Unstructured{u}, nil
	}
	list, err := u.ToList()
	if err != nil {
		return nil, err
	}
	out := make([]*unstructured.Unstructured, 0, len(list.Items))
	for i := range list.Items {
		item := &list.Items[i]
		if err := check(item); err != nil {
			return nil, fmt.Errorf("reading %s item %d: %w", u.GetKind(), i, err)
		}
		out = append(out, item)
	}
	return out, nil
}

func check(u *unstructured.Unstructured) error {
	switch {
	case u.GetAPIVersion() == "":
		return fmt.Errorf("object %q has no apiVersion", u.GetName())
	case u.GetKind() == "":
		return fmt.Errorf("object %q has no kind", u.GetName())
	case u.GetName() == "":
		return fmt.Errorf("%s has no metadata.name", u.GetKind())
	}
	return nil
}
