package schema

import (
	"slices"
	"strconv"
	"strings"
)

// pathNode is an attribute path built lazily: strings are only made when an
// error or an ignored key has to be reported.
type pathNode struct {
	parent  *pathNode
	urn     string // root only: the extension URN, or ""
	name    string // root: attribute name (or a caller's path); else sub-attribute name
	index   int    // element index when isIndex
	isIndex bool
}

// String returns the path with indexes: `urn:...:User:emails[0].value`.
func (p *pathNode) String() string {
	var b strings.Builder
	p.write(&b, true)
	return b.String()
}

func (p *pathNode) write(b *strings.Builder, indexes bool) {
	var buf [8]pathNode
	chain := buf[:0]
	for q := p; q != nil; q = q.parent {
		chain = append(chain, *q)
	}
	slices.Reverse(chain)
	writePath(b, chain, indexes)
}

// writePath writes the path whose elements are path, root first (the
// parent fields are not used): the root's URN and name, then "[i]" for an
// element index (when indexes is set) or ".name" for a sub-attribute.
func writePath(b *strings.Builder, path []pathNode, indexes bool) {
	for i, e := range path {
		switch {
		case i == 0:
			if e.urn != "" {
				b.WriteString(e.urn)
				b.WriteByte(':')
			}
			b.WriteString(e.name)
		case e.isIndex:
			if indexes {
				b.WriteByte('[')
				b.WriteString(strconv.Itoa(e.index))
				b.WriteByte(']')
			}
		default:
			b.WriteByte('.')
			b.WriteString(e.name)
		}
	}
}
