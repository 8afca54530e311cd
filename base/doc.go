// Package base is the image a package's layers go on: hoist's synthesized
// distroless, an empty scratch, or an image pulled from a registry, chosen
// per import path as ko does (--base over baseImageOverrides over
// defaultBaseImage). Every kind answers the same three questions through
// Base: the image for a platform, the platforms "--platform all" means on
// it, and the components it adds to an SBOM. The setting is turned into a
// Base once, in Set, so that nothing below switches on a base's name.
package base
