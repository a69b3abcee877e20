package handlers

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // registers GIF for image.DecodeConfig
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/post"
)

// Limits on uploaded images.
const (
	maxImageBytes = 2 << 20 // 2 MB
	maxImageSide  = 8000    // pixels, width or height
)

// imageFormats maps the content types the portal accepts, as
// http.DetectContentType names them, to image.DecodeConfig's format name.
// WebP is refused: its decoder (golang.org/x/image/webp) is not a
// dependency.
var imageFormats = map[string]string{
	"image/png":  "png",
	"image/jpeg": "jpeg",
	"image/gif":  "gif",
}

// uploadedImage reads and checks the image uploaded in the multipart form
// field; it stores nothing. No file (or an empty one, or a form that is not
// multipart) gives nil, "", nil. A file that is over 2 MB, not a real PNG,
// JPEG or GIF, or larger than 8000 px on a side gives nil and problem, a
// message for the user to show beside the field. err is a failure of the
// portal (reading the upload's temp file).
//
// The caller must make the form multipart/form-data; the app's BodyLimit
// must leave room for a 2 MB file, or Fiber refuses the request first.
func (s *server) uploadedImage(c *fiber.Ctx, field string) (img *post.Image, problem string, err error) {
	if !strings.HasPrefix(strings.ToLower(string(c.Request().Header.ContentType())), fiber.MIMEMultipartForm) {
		return nil, "", nil
	}
	form, err := c.MultipartForm()
	if err != nil {
		return nil, "The upload could not be read. Choose the image again.", nil
	}
	files := form.File[field]
	if len(files) == 0 || files[0].Size == 0 {
		return nil, "", nil
	}
	fh := files[0]
	if fh.Size > maxImageBytes {
		return nil, imageTooLarge(fh.Size), nil
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", fmt.Errorf("handlers: open uploaded image: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxImageBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("handlers: read uploaded image: %w", err)
	}
	if len(data) > maxImageBytes {
		return nil, imageTooLarge(int64(len(data))), nil
	}
	checked, problem := checkImage(data)
	if problem != "" {
		return nil, problem, nil
	}
	return &checked, "", nil
}

func imageTooLarge(size int64) string {
	return fmt.Sprintf("This image is %.1f MB; the limit is 2 MB. Make it smaller and upload it again.", float64(size)/(1<<20))
}

// checkImage sniffs data and decodes its header: it must be a PNG, JPEG or
// GIF whose header says the same as its first bytes, at most 8000 px on a
// side. It returns the image to store, or why it is refused.
func checkImage(data []byte) (post.Image, string) {
	const notImage = "This file is not a PNG, JPEG or GIF image. Choose a picture in one of those formats."
	contentType := http.DetectContentType(data)
	if contentType == "image/webp" {
		return post.Image{}, "WebP images are not accepted yet. Save the picture as PNG or JPEG and upload it again."
	}
	format, ok := imageFormats[contentType]
	if !ok {
		return post.Image{}, notImage
	}
	cfg, decoded, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || decoded != format || cfg.Width <= 0 || cfg.Height <= 0 {
		return post.Image{}, notImage
	}
	if cfg.Width > maxImageSide || cfg.Height > maxImageSide {
		return post.Image{}, fmt.Sprintf("This image is %d × %d pixels; the limit is 8000 pixels on each side. Make it smaller and upload it again.",
			cfg.Width, cfg.Height)
	}
	return post.Image{ContentType: contentType, Data: data, Width: cfg.Width, Height: cfg.Height}, ""
}

// serveImage sends a stored image with its own content type. Comms and
// admins see the image of any post; anyone else only the image of a post
// in their feed (live, and for them), as post.Images decides: the image of
// a draft or of a post for other groups is 404 for them, as the post is.
// Concern screenshots are served only through their concern. Images are
// cached by the browser (privately) for a day and revalidated by their
// hash.
func (s *server) serveImage(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return post.ErrNoImage
	}
	img, err := s.Images.Open(ctx(c), id, userOf(c))
	if err != nil {
		return err
	}
	etag := `"` + img.SHA256 + `"`
	c.Set(fiber.HeaderCacheControl, "private, max-age=86400")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderETag, etag)
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, img.ContentType)
	c.Set(fiber.HeaderContentLength, strconv.Itoa(len(img.Data)))
	return c.Send(img.Data)
}
