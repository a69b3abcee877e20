package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/advocacy-portal/portal/internal/post"
)

var _ post.ImageRepository = (*Store)(nil)

// Image is an uploaded picture (post.Image), kept in the database so that
// a backup holds everything. The caller checks the type and size before
// saving it; the store only records what it is given.
type Image = post.Image

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

// ImageViewer is who asks for an image at /images/{id}, and when
// (post.ImageViewer).
type ImageViewer = post.ImageViewer

// PostImage implements post.ImageRepository: it returns an image that
// viewer may see. Staff see any image but
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
