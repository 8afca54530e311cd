package publish

import (
	"context"
	"log/slog"
)

// Multi publishes each artifact to several destinations, as ko does with a
// registry and --oci-layout-path or --tarball together: the files first,
// then the registry, so that a file that cannot be written stops the run
// before anything is pushed. It returns the registry's reference when
// there is a registry (the one to deploy), else the first destination's;
// the others are logged.
type Multi struct {
	Files    []Publisher // layouts and tarballs
	Registry *Registry   // optional
	Logger   *slog.Logger
}

// Publish implements Publisher.
func (m *Multi) Publish(ctx context.Context, imageName string, art Artifact) (string, error) {
	var refs []string
	for _, p := range m.Files {
		ref, err := p.Publish(ctx, imageName, art)
		if err != nil {
			return "", err
		}
		refs = append(refs, ref)
	}
	if m.Registry != nil {
		ref, err := m.Registry.Publish(ctx, imageName, art)
		if err != nil {
			return "", err
		}
		refs = append([]string{ref}, refs...)
	}
	if len(refs) == 0 {
		return "", nil
	}
	if m.Logger != nil {
		for _, r := range refs[1:] {
			m.Logger.Info("also published", "image", imageName, "ref", r)
		}
	}
	return refs[0], nil
}

// Pushes says whether p pushes to a registry, where attachments go.
func Pushes(p Publisher) bool {
	switch p := p.(type) {
	case *Registry:
		return true
	case *Multi:
		return p.Registry != nil
	}
	return false
}
