package sqlstore

import "strings"

// builder accumulates SQL text and its arguments.
type builder struct {
	d    Dialect
	sb   strings.Builder
	args []any
}

// arg adds an argument and returns its placeholder.
func (b *builder) arg(v any) string {
	b.args = append(b.args, v)
	return b.d.placeholder(len(b.args))
}

func (b *builder) write(parts ...string) {
	for _, p := range parts {
		b.sb.WriteString(p)
	}
}

// rebind rewrites the ? placeholders of a fixed statement for d.
func rebind(d Dialect, q string) string {
	if d.placeholder(1) == "?" {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteString(d.placeholder(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// typeOfID returns the condition that the type column col equals the
// argument ph, for statements that find a row by its primary key (tenant,
// id). In PostgreSQL the comparison is made under the "C" collation (the
// same equality: both collations are deterministic), so that it is no
// index condition: otherwise an index of (tenant, type, …) matches two
// columns of the statement, and on a table without statistics the planner
// may prefer it to the primary key and read every row of the type.
func typeOfID(d Dialect, col, ph string) string {
	if _, pg := d.(postgres); pg {
		return col + " = " + ph + ` COLLATE "C"`
	}
	return col + " = " + ph
}
