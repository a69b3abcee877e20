package post

import (
	"context"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
)

// Image is an uploaded picture, as the portal keeps and serves it.
type Image struct {
	ID          int64
	ContentType string // e.g. "image/png"; served as is
	Data        []byte
	Size        int    // bytes, set when saved
	SHA256      string // hex of the data, set when saved; used as ETag
	Width       int    // pixels
	Height      int
	CreatedBy   int64 // 0: unknown
	CreatedAt   time.Time
}

// ImageViewer is who asks for an image, and when.
type ImageViewer struct {
	UserID int64
	Staff  bool      // comms or admin: they see the image of a post in any state
	At     time.Time // when a post's being live is judged
}

// ViewerOf is u asking for an image at at: the communications team and
// admins are staff.
func ViewerOf(u account.User, at time.Time) ImageViewer {
	return ImageViewer{UserID: u.ID, Staff: u.HasAny(account.Comms, account.Admin), At: at}
}

// ImageRepository is what Images needs from storage; the store implements
// it.
type ImageRepository interface {
	// PostImage returns image id if viewer may see it: staff any image of a
	// post; anyone else only the image of a post in their feed, live at
	// viewer.At and for everyone or a group they are in (the rule of
	// Post.Phase and Filter.ForUser). Screenshots attached to concerns are
	// never served here. What viewer may not see is of kind
	// apperr.NotFound, as what does not exist.
	PostImage(ctx context.Context, id int64, viewer ImageViewer) (Image, error)
}

// Images serves the images of posts. It is safe for concurrent use if its
// repository is.
type Images struct {
	repo ImageRepository
	now  func() time.Time
}

// NewImages returns Images over repo, judging whether a post is live at
// the time now tells (time.Now if nil).
func NewImages(repo ImageRepository, now func() time.Time) *Images {
	if now == nil {
		now = time.Now
	}
	return &Images{repo: repo, now: now}
}

// ErrNoImage is an image that does not exist or that the person asking
// may not see. Its kind is apperr.NotFound.
var ErrNoImage = apperr.Sentinel(apperr.NotFound, "post: no such image", "There is no image at this address.")

// Open returns image id as u may see it now (ImageRepository.PostImage);
// one they may not see, or that does not exist, is ErrNoImage.
func (s *Images) Open(ctx context.Context, id int64, u account.User) (Image, error) {
	if id <= 0 {
		return Image{}, ErrNoImage
	}
	img, err := s.repo.PostImage(ctx, id, ViewerOf(u, s.now()))
	if apperr.KindOf(err) == apperr.NotFound {
		return Image{}, ErrNoImage
	}
	return img, err
}
