// Package config reads hoist's two configuration files. .hoist.yaml (image
// settings, the same keys as the command-line flags) is strict: a key it
// does not define, or a value of the wrong type, is an error naming the
// file, the key and the line. ko's config (.ko.yaml, .ko.yml, .ko.json or
// KO_CONFIG_PATH) is read with ko v0.19.1's own leniency, so a file that
// ko builds also builds with hoist: keys match in any case, lists may be
// one string, and keys ko ignores are ignored too, but each draws a
// one-line warning naming the file, key and line rather than vanishing.
package config
