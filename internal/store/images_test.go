package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/store"
)

func TestSaveImage(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	author := mustSignIn(t, s, "oidc:1", "mei@example.com", account.Comms)
	data := []byte("\x89PNG\r\n\x1a\nnot really, but the store does not look")

	id, err := s.SaveImage(ctx, store.Image{ContentType: "image/png", Data: data, Width: 3, Height: 2}, author.ID)
	if err != nil {
		t.Fatalf("SaveImage: %v", err)
	}
	img, err := s.Image(ctx, id)
	if err != nil {
		t.Fatalf("Image: %v", err)
	}
	sum := sha256.Sum256(data)
	if img.ID != id || img.ContentType != "image/png" || !bytes.Equal(img.Data, data) || img.Size != len(data) ||
		img.SHA256 != hex.EncodeToString(sum[:]) || img.Width != 3 || img.Height != 2 ||
		img.CreatedBy != author.ID || !img.CreatedAt.Equal(c.Now()) {
		t.Errorf("Image = %+v, want the saved PNG with its size, hash and uploader", img)
	}

	if _, err := s.Image(ctx, id+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Image(unknown) error = %v, want ErrNotFound", err)
	}
	if _, err := s.SaveImage(ctx, store.Image{ContentType: "image/png"}, author.ID); err == nil {
		t.Error("SaveImage without data succeeded, want an error")
	}
}
