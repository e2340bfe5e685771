package schema

import (
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

// general returns the path without indexes: "emails.value".
func (p *pathNode) general() string {
	var b strings.Builder
	p.write(&b, false)
	return b.String()
}

func (p *pathNode) write(b *strings.Builder, indexes bool) {
	if p.parent == nil {
		if p.urn != "" {
			b.WriteString(p.urn)
			b.WriteByte(':')
		}
		b.WriteString(p.name)
		return
	}
	p.parent.write(b, indexes)
	if p.isIndex {
		if indexes {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(p.index))
			b.WriteByte(']')
		}
		return
	}
	b.WriteByte('.')
	b.WriteString(p.name)
}
