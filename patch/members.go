package patch

// Membership tracking. added and removed hold the net effect: a value is in
// added when it was not a member before and is now, in removed when it was
// and is not.

func (a *applier) memberAdded(s string) {
	if _, ok := a.removed[s]; ok {
		delete(a.removed, s)
		return
	}
	if a.added == nil {
		a.added = make(map[string]struct{})
	}
	a.added[s] = struct{}{}
}

func (a *applier) memberRemoved(s string) {
	if _, ok := a.added[s]; ok {
		delete(a.added, s)
		return
	}
	if a.removed == nil {
		a.removed = make(map[string]struct{})
	}
	a.removed[s] = struct{}{}
}

// memberDiff records the change of the member set from before to after.
func (a *applier) memberDiff(before, after []any) {
	was := make(map[string]struct{}, len(before))
	for _, e := range before {
		if s, ok := elementValue(e); ok {
			was[s] = struct{}{}
		}
	}
	is := make(map[string]struct{}, len(after))
	for _, e := range after {
		if s, ok := elementValue(e); ok {
			is[s] = struct{}{}
		}
	}
	for s := range was {
		if _, ok := is[s]; !ok {
			a.memberRemoved(s)
		}
	}
	for s := range is {
		if _, ok := was[s]; !ok {
			a.memberAdded(s)
		}
	}
}
