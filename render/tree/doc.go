// Package tree reads and writes a rendered tree on a filesystem: Write,
// the staged writer, is the one place that puts generated files on disk,
// and never touches a file without tandem's header; ReadGenerated and
// ReadPlatform read back what tandem generated and what the platform team
// owns (overlays/ENV/patches/, components/); OrphanedPatches finds the
// platform's patches that no environment applies any more.
package tree
