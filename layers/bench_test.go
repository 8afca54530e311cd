package layers

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkBinaryLayer50MiB measures assembling and compressing the layer of
// a 50 MiB binary: throughput (MB/s) and allocations, which must not grow
// with the binary because the tar is streamed through the compressor.
func BenchmarkBinaryLayer50MiB(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "app")
	data := make([]byte, 50<<20)
	// Half random, half zeros: roughly the compressibility of a Go binary.
	rand.NewChaCha8([32]byte{1}).Read(data[:25<<20])
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		b.Fatal(err)
	}
	for _, c := range []Compression{Gzip, Zstd} {
		b.Run(string(c), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				out := b.TempDir()
				l, err := New(context.Background(), []Entry{Binary(bin, "app")}, Options{Time: time.Unix(0, 0), Compression: c, Dir: out})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := l.Digest(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
