// Package config reads hoist's two configuration files strictly: .hoist.yaml
// (image settings, the same keys as the command-line flags) and .ko.yaml (the
// build settings, in ko's own schema so one file serves both tools). A key
// either file does not define, or a value of the wrong type, is an error that
// names the file, the key and the line, because a silently ignored typo in a
// build config ships the wrong image.
package config
