package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/advocacy-portal/portal/internal/store"
)

// backupCommand runs `portal backup [-db PATH] FILE`: it writes a
// consistent copy of the database to FILE, also while the portal runs,
// and prints its size. It never overwrites FILE. The database is -db, or
// $PORTAL_DB, or portal.db, as for the portal itself. It returns the exit
// code: 0 when the copy is made, 1 when it fails, 2 for bad usage.
func backupCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("portal backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := getenv("PORTAL_DB")
	if def == "" {
		def = "portal.db"
	}
	db := fs.String("db", def, "path of the SQLite database to copy ($PORTAL_DB)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: portal backup [-db PATH] FILE\n\nWrites a consistent copy of the portal's database to FILE, also while the portal runs.\nFILE must not exist yet. To restore: stop the portal, copy FILE over the database, start it.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 || fs.Arg(0) == "" {
		fs.Usage()
		return 2
	}
	dest := fs.Arg(0)
	size, err := store.Backup(ctx, *db, dest)
	if err != nil {
		fmt.Fprintln(stderr, "portal:", err)
		return 1
	}
	fmt.Fprintf(stdout, "backed up %s to %s: %s (%d bytes)\n", *db, dest, humanSize(size), size)
	return 0
}

// humanSize is a byte count as people read it: 812 B, 4.2 MB.
func humanSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
