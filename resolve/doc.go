// Package resolve finds the ko://IMPORTPATH references in a stream of YAML
// documents and swaps each for an image reference, the way `ko resolve` does,
// but by splicing the new text into the original bytes instead of
// re-encoding the documents: comments, key order, quoting, indentation and
// every document without a reference come out byte for byte as they went
// in, so the output diffs cleanly against the input and a reviewer sees only
// the images change. yaml.v3 is used only to find where the references are;
// the result is parsed again and compared node by node with the input before
// it is returned, so a splice that would change anything else is an error
// rather than a silently different manifest. Files and Concat do the rest
// of what `resolve -f` needs: expand file and directory arguments the way
// kubectl does, and join several files into one stream.
package resolve
