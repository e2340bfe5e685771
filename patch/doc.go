// Package patch implements SCIM PATCH (RFC 7644 §3.5.2): it decodes a
// PatchOp request body into [Operation] values and applies them to a
// resource's canonical data (see package schema) with [Apply].
//
// Apply is pure: it never modifies the data it is given, and it returns
// either the complete new data or an error, never a half-applied resource.
// Unchanged attributes are shared between the input and the result rather
// than copied, so treat both as read-only.
//
// # What is accepted
//
// Besides RFC 7644, Apply accepts by default every dialect the major
// identity providers send:
//
//   - op names in any case ("Add", "Replace", "Remove"), and the
//     "Operations" member in any case ([Decode]);
//   - paths naming attributes ("active"), sub-attributes ("name.givenName"),
//     extension attributes ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"),
//     value filters (`emails[type eq "work"].value`, `members[value eq "2819c223"]`),
//     attribute names in any case;
//   - path-less add and replace whose value object uses paths as keys: plain
//     names, dotted sub-attributes ("name.givenName"), URN-qualified names,
//     and objects nested under the core or an extension schema URN;
//   - the readOnly "id" inside a path-less value when it equals the
//     resource's id (Okta sends it with every group rename); other readOnly
//     attributes inside a path-less value ("meta", "groups") are ignored;
//   - values in the shapes clients send them: booleans as "True"/"False",
//     manager as a plain id string, a single object where an array is
//     expected, members as bare strings, "$ref": null (normalization is
//     schema.NormalizeValue's);
//   - null or "" as the value of add or replace, meaning "remove";
//   - remove of "members" with a value list (Entra): only the listed
//     members are removed; without a value, all are.
//
// # Semantics
//
// Operations apply in order, each to the result of the one before (RFC 7644
// §3.5.2). The rules, where RFC 7644 leaves room:
//
//   - add to a multi-valued attribute appends the values that are not
//     already there. For attributes whose "value" sub-attribute is immutable
//     (Group "members"), a value is already there when an element has the
//     same "value"; otherwise when an element is exactly equal. Adding a
//     member twice is therefore a no-op.
//   - add and replace of a complex attribute, or of an element selected by a
//     value filter, set the sub-attributes given and keep the others (RFC
//     7644 §3.5.2.3); a sub-attribute given as null or "" is removed.
//   - replace of a multi-valued attribute without a filter replaces all its
//     values; replace with [] or null removes them all.
//   - add and replace on a value filter that matches nothing create a new
//     element, with the attributes the filter compares with "eq" set from
//     the filter (`emails[type eq "work"].value` creates a work email).
//     When the filter is not a conjunction of "eq" comparisons there is no
//     element to create, and the operation fails with scimType "noTarget"
//     (RFC 7644 §3.5.2.3).
//   - remove with a value filter that matches nothing is a no-op: RFC 7644
//     §3.5.2.2 defines no failure for it, and clients (Okta) remove members
//     that are already gone.
//   - remove without a path fails with "noTarget" (RFC 7644 §3.5.2.2).
//   - removing a sub-attribute that leaves an element without its "value"
//     (or, for attributes without one, with nothing but "type" and
//     "primary") removes the element.
//   - add, replace or remove naming a readOnly attribute by path fails with
//     "mutability" (RFC 7644 §3.5.2); so does changing an immutable value
//     that was set, and an "id" different from the resource's id.
//   - roles are identified by their value (schema.Attribute.KeyedByValue):
//     adding a held role adds nothing, and a value-path write that gives
//     an element the value of another merges the two. A write that changes
//     the value of a role or entitlement drops the "display" that named
//     the old one, unless an earlier operation of the same PATCH wrote it
//     (Entra's SingleAppRoleAssignment; the SCIM Validator writes display,
//     then value).
//   - after each operation, at most one element of a multi-valued
//     attribute is primary: the one most recently set primary wins, and the
//     others get "primary": false (RFC 7643 §2.4).
//   - when the operations changed anything, the result must satisfy the
//     resource type's rules (required attributes, immutability); otherwise
//     the error names the last operation that touched the attribute at
//     fault.
//   - an attribute inside a path-less value that the resource type does not
//     define is ignored, as for POST and PUT; an unknown attribute named by
//     a path fails with "invalidPath".
//
// # Cost
//
// Removing members by `members[value eq "…"]` or by a value list costs one
// pass over the members for a run of such operations, not one per
// operation, and adding members costs one pass plus the copy of the list.
// Attributes no operation touches are neither copied nor compared.
//
// Apply takes attrs to be valid canonical data, as a store returns it, and
// checks what the operations wrote: it validates the values it stored and
// the resource's required attributes, not every element of a large list it
// only appended to or removed from.
package patch
