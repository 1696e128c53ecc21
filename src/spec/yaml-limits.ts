// Limits both YAML parsers of the spec loader keep (fast-yaml.ts, yaml-documents.ts).

/**
 * Levels of collections a document may nest: dozens of times what a spec needs. Both parsers recurse
 * once per level; some thousand levels (`[[[[…`, `- - - …`, ever deeper indentation) exhaust the
 * stack, and near that limit V8 can abort the whole process instead of throwing.
 */
export const MAX_NESTING_DEPTH = 256;
