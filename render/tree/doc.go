// Package tree reads and writes a rendered tree on a filesystem: Write,
// the staged writer, is the one place that puts generated files on disk,
// and never touches a file without tandem's header; ReadGenerated and
// ReadPlatform read back what tandem generated and what the platform team
// owns (overlays/ENV/patches/, components/); OrphanedPatches finds the
// platform's patches that no environment applies any more.
//
// A tree belongs to one catalogue (Owner): its record, RecordFile at the
// tree's root, names the catalogue and lists the files generated for it,
// the only ones Write replaces or removes (owner.go). Write locks the
// tree's folder exclusively and ReadGenerated shared (lock.go, with
// fsys.Locker: flock on disk). Write stages every file, commits a journal
// of its renames, then applies it; the next Write rolls a journal left
// by a killed render forward (journal.go), so a kill at any point leaves
// the old tree or the new one.
package tree
