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
// actorID, and returns its id. Size and SHA256 are computed from Data.
func (s *Store) SaveImage(ctx context.Context, img Image, actorID int64) (int64, error) {
	if len(img.Data) == 0 || img.ContentType == "" {
		return 0, errors.New("store: save image: no data or content type")
	}
	sum := sha256.Sum256(img.Data)
	res, err := s.write.ExecContext(ctx, `INSERT INTO images (content_type, data, size, sha256, width, height, created_by, created_at)
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

// PostImage returns an image anyone signed in may see: any image but the
// screenshots attached to reported concerns, which only the reporter and
// the points of contact may open (through the concern). Those are ErrNotFound.
func (s *Store) PostImage(ctx context.Context, id int64) (Image, error) {
	return s.image(ctx, id, ` AND NOT EXISTS (SELECT 1 FROM concerns c WHERE c.image_id = images.id)`)
}

func (s *Store) image(ctx context.Context, id int64, and string) (Image, error) {
	img := Image{ID: id}
	err := s.read.QueryRowContext(ctx, `SELECT content_type, data, size, sha256, width, height, COALESCE(created_by, 0), created_at
		FROM images WHERE id = ?`+and, id).Scan(&img.ContentType, &img.Data, &img.Size, &img.SHA256, &img.Width, &img.Height,
		&img.CreatedBy, timeScanner{&img.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return img, fmt.Errorf("store: image %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return img, fmt.Errorf("store: image %d: %w", id, err)
	}
	return img, nil
}
