package check

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// letters that carry no combining mark to drop but that readers take for
// accented forms of a base letter.
var unaccent = strings.NewReplacer(
	"ø", "o", "Ø", "O", "đ", "d", "Đ", "D", "ł", "l", "Ł", "L",
	"ħ", "h", "Ħ", "H", "ı", "i", "æ", "ae", "Æ", "AE", "œ", "oe", "Œ", "OE",
)

// fold returns s without accents and case, for comparing: "Café" and
// "CAFE" fold alike, as do "Straße" and "STRASSE".
func fold(s string) string {
	s = unaccent.Replace(s)
	strip := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	if t, _, err := transform.String(strip, s); err == nil {
		s = t
	}
	return cases.Fold().String(s)
}

// isWordRune reports whether r belongs inside a word or hashtag.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) || r == '_'
}

// unspaced are scripts written without spaces between words; each of
// their characters is taken for a word of its own, so that terms in them
// match wherever they occur.
var unspaced = []*unicode.RangeTable{
	unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao,
	unicode.Khmer, unicode.Myanmar,
}

// words splits folded text into words: runs of letters, digits and marks.
// Everything else (spaces, punctuation, '#', '_', '-', apostrophes)
// separates words.
func words(s string) []string {
	var ws []string
	start := -1
	for i, r := range s {
		switch {
		case unicode.In(r, unspaced...):
			if start >= 0 {
				ws = append(ws, s[start:i])
				start = -1
			}
			ws = append(ws, string(r))
		case r != '_' && isWordRune(r):
			if start < 0 {
				start = i
			}
		default:
			if start >= 0 {
				ws = append(ws, s[start:i])
				start = -1
			}
		}
	}
	if start >= 0 {
		ws = append(ws, s[start:])
	}
	return ws
}

// containsWords reports whether phrase occurs in text as consecutive words.
func containsWords(text, phrase []string) bool {
	if len(phrase) == 0 {
		return false
	}
	for i := 0; i+len(phrase) <= len(text); i++ {
		if slices.Equal(text[i:i+len(phrase)], phrase) {
			return true
		}
	}
	return false
}

// hashtagsIn returns the hashtags written in text, without their '#', in
// the order they appear: a '#' at the start or after a character that is
// not part of a word, followed by letters, digits, marks or '_'.
func hashtagsIn(text string) []string {
	var tags []string
	prev := ' '
	for i, r := range text {
		if (r == '#' || r == '＃') && !isWordRune(prev) && prev != '&' {
			rest := text[i+utf8.RuneLen(r):]
			end := strings.IndexFunc(rest, func(r rune) bool { return !isWordRune(r) })
			if end < 0 {
				end = len(rest)
			}
			if end > 0 {
				tags = append(tags, rest[:end])
			}
		}
		prev = r
	}
	return tags
}

// tagKey is how hashtags are compared: folded, without a leading '#'.
func tagKey(tag string) string {
	tag = strings.TrimSpace(tag)
	tag = strings.TrimLeft(tag, "#＃")
	return fold(tag)
}

// containsToken reports whether the folded text holds the folded token tok
// with no word character joined to either end of it: "#ad" is in "#AD, now"
// but not in "#ads" or "x#ad"; "werbung" is in "(Werbung)" but not in
// "Werbungen".
func containsToken(text, tok string) bool {
	if tok == "" {
		return false
	}
	first, _ := utf8.DecodeRuneInString(tok)
	last, _ := utf8.DecodeLastRuneInString(tok)
	for from := 0; ; {
		i := strings.Index(text[from:], tok)
		if i < 0 {
			return false
		}
		i += from
		before, _ := utf8.DecodeLastRuneInString(text[:i])
		after, _ := utf8.DecodeRuneInString(text[i+len(tok):])
		okBefore := i == 0 || !(isWordRune(first) || first == '#') || !(isWordRune(before) || before == '#')
		okAfter := i+len(tok) == len(text) || !isWordRune(last) || !isWordRune(after)
		if okBefore && okAfter {
			return true
		}
		from = i + len(tok)
	}
}
