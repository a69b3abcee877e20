package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Image is an uploaded picture for a post, kept in the database so that a
// backup holds everything. The caller checks the type and size before
// saving it; the store only records what it is given.
type Image struct {
	ID          int64
	ContentType string // e.g. "image/png"; served as is
	Data        []byte
	Size        int    // bytes, set by SaveImage
	SHA256      string // hex of the data, set by SaveImage; used as ETag
	Width       int    // pixels
	Height      int
	CreatedBy   int64 // 0: unknown
	CreatedAt   time.Time
}

// SaveImage stores img's content type, data and dimensions, uploaded by
// actorID, and returns its id. Size and SHA256 are computed from Data. A
// post's image is saved with the post instead (CreatePost,
// UpdatePost), so that a refused form stores none.
func (s *Store) SaveImage(ctx context.Context, img Image, actorID int64) (int64, error) {
	return s.saveImage(ctx, s.write, img, actorID)
}

type execer interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}

func (s *Store) saveImage(ctx context.Context, db execer, img Image, actorID int64) (int64, error) {
	if len(img.Data) == 0 || img.ContentType == "" {
		return 0, errors.New("store: save image: no data or content type")
	}
	sum := sha256.Sum256(img.Data)
	res, err := db.ExecContext(ctx, `INSERT INTO images (content_type, data, size, sha256, width, height, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, img.ContentType, img.Data, len(img.Data), hex.EncodeToString(sum[:]),
		img.Width, img.Height, nullID(actorID), timestamp(s.now()))
	if err != nil {
		return 0, fmt.Errorf("store: save image: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("store: save image: %w", err)
	}
	return id, nil
}

// Image returns the image with the given id, data included; an unknown id
// is ErrNotFound.
func (s *Store) Image(ctx context.Context, id int64) (Image, error) {
	return s.image(ctx, id, ``)
}

// ImageViewer is who asks for an image at /images/{id}, and when.
type ImageViewer struct {
	UserID int64
	Staff  bool      // comms or admin: they see the image of a post in any state
	At     time.Time // when a post's being live is judged
}

// PostImage returns an image that viewer may see. Staff see any image but
// the screenshots attached to reported concerns (only the reporter and the
// points of contact open those, through the concern). Anyone else sees an
// image only while a post carrying it is in their feed: live at viewer.At
// and for everyone or for a group they are in; the image of a draft, of a
// post in review, scheduled, expired or archived, or of a post for other
// groups is not theirs to see. What a viewer may not see is ErrNotFound.
func (s *Store) PostImage(ctx context.Context, id int64, viewer ImageViewer) (Image, error) {
	if viewer.Staff {
		return s.image(ctx, id, notConcernImage)
	}
	live, args := liveAt("p", viewer.At)
	return s.image(ctx, id, notConcernImage+` AND EXISTS (SELECT 1 FROM posts p WHERE p.image_id = images.id AND `+
		live+` AND `+targetedTo+`)`, append(args, viewer.UserID)...)
}

const notConcernImage = ` AND NOT EXISTS (SELECT 1 FROM concerns c WHERE c.image_id = images.id)`

func (s *Store) image(ctx context.Context, id int64, and string, args ...any) (Image, error) {
	img := Image{ID: id}
	err := s.read.QueryRowContext(ctx, `SELECT content_type, data, size, sha256, width, height, COALESCE(created_by, 0), created_at
		FROM images WHERE id = ?`+and, append([]any{id}, args...)...).Scan(&img.ContentType, &img.Data, &img.Size, &img.SHA256, &img.Width, &img.Height,
		&img.CreatedBy, timeScanner{&img.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return img, fmt.Errorf("store: image %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return img, fmt.Errorf("store: image %d: %w", id, err)
	}
	return img, nil
}
