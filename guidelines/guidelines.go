// Package guidelines embeds the social media code of conduct and the
// training modules that ship with the portal. README.md in this folder
// documents the file format; internal/training loads and validates it.
package guidelines

import (
	"embed"
	"io/fs"
)

//go:embed conduct modules programme.yaml
var files embed.FS

// FS returns the embedded guidelines, laid out as README.md describes.
func FS() fs.FS { return files }
