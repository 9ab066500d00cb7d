// JSON as a tree of its text, for fuzzing: a number keeps the literal it was written with
// (`1E2`, `9007199254740993`, `1e400`), an object keeps duplicate and prototype-named keys in
// order, and a pre-written piece (a 20,000-level nesting) is pasted in as it is. JSON.stringify
// can express none of these.

export type JsonNode =
  | { kind: 'null' }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'number'; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'array'; items: JsonNode[] }
  | { kind: 'object'; entries: Array<[string, JsonNode]> }
  /** Written as is; `depth` is its nesting (0 for a scalar). */
  | { kind: 'verbatim'; text: string; depth: number };

export type PathSegment = string | number;

/** The contract's path spelling: `cost[0].cost_micros`, `""` for the event itself. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

export function fromValue(value: unknown): JsonNode {
  if (value === null) return { kind: 'null' };
  if (typeof value === 'boolean') return { kind: 'boolean', value };
  if (typeof value === 'number') return { kind: 'number', text: JSON.stringify(value) };
  if (typeof value === 'string') return { kind: 'string', value };
  if (Array.isArray(value)) return { kind: 'array', items: value.map(fromValue) };
  if (typeof value === 'object') return { kind: 'object', entries: Object.entries(value).map(([key, item]) => [key, fromValue(item)]) };
  throw new Error(`not JSON: ${typeof value}`);
}

/**
 * JSON text; `spacing` is cycled through between tokens (JSON whitespace only, so the text stays
 * valid). Strings go through JSON.stringify, which escapes lone surrogates as `\udXXX`.
 */
export function writeJson(node: JsonNode, spacing: readonly string[] = ['']): string {
  let turn = 0;
  const space = (): string => spacing[turn++ % spacing.length] ?? '';
  const write = (n: JsonNode): string => {
    switch (n.kind) {
      case 'null':
        return 'null';
      case 'boolean':
        return String(n.value);
      case 'number':
        return n.text;
      case 'string':
        return JSON.stringify(n.value);
      case 'verbatim':
        return n.text;
      case 'array':
        return `[${space()}${n.items.map((item) => write(item)).join(`${space()},${space()}`)}${space()}]`;
      case 'object':
        return `{${space()}${n.entries.map(([key, item]) => `${JSON.stringify(key)}${space()}:${space()}${write(item)}`).join(`${space()},${space()}`)}${space()}}`;
    }
  };
  return write(node);
}

/** Nesting depth: an object or array counts one level, a scalar none. */
export function nodeDepth(node: JsonNode): number {
  switch (node.kind) {
    case 'array':
      return 1 + Math.max(0, ...node.items.map(nodeDepth));
    case 'object':
      return 1 + Math.max(0, ...node.entries.map(([, item]) => nodeDepth(item)));
    case 'verbatim':
      return node.depth;
    default:
      return 0;
  }
}

/**
 * Whether `path` names a place in `value` (JSON.parse output): an existing member or element, or
 * a key of an existing object (where a required field is missing). `""` is the value itself.
 * Keys may themselves hold `.` or `[`, so the path is matched against the value, not split;
 * `written` says whether anything of the path has been written yet (an empty key writes nothing).
 */
export function pathIsReal(value: unknown, path: string, written = false): boolean {
  if (path === '') return true;
  if (Array.isArray(value)) {
    const match = /^\[(\d+)\]/.exec(path);
    return match !== null && Number(match[1]) < value.length && pathIsReal(value[Number(match[1])], path.slice(match[0].length), true);
  }
  if (typeof value !== 'object' || value === null) return false;
  const separator = written ? '.' : '';
  for (const [key, item] of Object.entries(value)) {
    const segment = written || key !== '' ? `${separator}${key}` : '';
    if (path.startsWith(segment) && pathIsReal(item, path.slice(segment.length), written || key !== '')) return true;
  }
  if (!path.startsWith(separator)) return false;
  const rest = path.slice(separator.length);
  return rest !== '' && !/[.[]/.test(rest);
}
