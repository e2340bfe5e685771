// Package filter implements the SCIM filter language of RFC 7644 §3.4.2.2
// and the attribute-path grammar used by PATCH paths, "attributes",
// "excludedAttributes" and "sortBy".
//
// # Parsing
//
// [Parse] reads a filter into a tree of [Expr] nodes ([Compare], [Present],
// [And], [Or], [Not], [ValuePath]):
//
//	e, err := filter.Parse(`emails[type eq "work"] and userName sw "J"`)
//
// A [Parser] with Schema set binds the tree to a resource type: attribute
// names are resolved case-insensitively and written in canonical case,
// [AttrPath.Attr] points at the attribute definition, and unknown attributes
// or comparisons the attribute's type cannot support are errors. The handler
// parses with a bound Parser; stores that translate filters (to SQL, say) walk
// the bound tree and read types and caseExact from the definitions.
//
// The zero Parser is lenient: it accepts the unquoted literals, boolean
// strings and "members eq id" comparisons that Microsoft Entra ID, its test
// tools and other clients send (see [Parser]). Strict turns these off. A
// bare value such as "someone@example.com" is always an error.
//
// [Parser.ParsePath] reads a PATCH path (`emails[type eq "work"].value`),
// and [Parser.ParseAttrPath] an attribute path (`name.givenName`).
//
// Every parse error is an [*Error] carrying the byte offset of the problem;
// the HTTP layer answers it with 400 and scimType invalidFilter (or
// invalidPath for PATCH paths). Inputs longer than [Parser.MaxLength],
// nested deeper than [Parser.MaxDepth] or not valid UTF-8 are errors too, so
// a hostile filter costs at most linear time and bounded stack.
//
// # Printing
//
// Every node's String method prints SCIM syntax that parses back to an
// equal tree: values are JSON-escaped and parentheses are added where
// precedence needs them. Leniencies are normalised away in the output
// (an unquoted literal prints quoted).
//
// # Evaluating
//
// [Match] evaluates a tree against a resource in canonical form; see its
// documentation for the exact semantics (multi-valued attributes, caseExact,
// dateTime and number comparison, "pr", "ne" on absent attributes).
// [Conjuncts] and [AndOf] split and rebuild top-level "and" chains, so that a
// store can evaluate the conjuncts it understands and leave the rest, the
// residual, to Match.
package filter
