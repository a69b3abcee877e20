// Package assets embeds the portal's static files: its stylesheet, icons,
// vendored scripts (see vendor/VERSIONS.txt) and its own small script
// (js/app.js). Nothing is fetched from a CDN and no front-end build step is
// needed.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed css icons js vendor
var files embed.FS

// FS returns the embedded static files.
func FS() fs.FS { return files }
