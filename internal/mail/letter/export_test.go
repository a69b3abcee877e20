package letter

import (
	"maps"
	"slices"
)

// Keys returns the keys of the English catalogue, sorted, for the tests of
// package letter_test, which may import the packages that import letter.
func Keys() []string { return slices.Sorted(maps.Keys(catalogues()[DefaultLanguage])) }
