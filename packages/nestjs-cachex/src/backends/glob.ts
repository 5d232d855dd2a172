/** A compiled `clearPattern` glob. */
export interface GlobPattern {
  /** Whether all of `text` matches the glob. */
  test(text: string): boolean;
}

/** One piece of a glob: a character, `?`, `*`, or a set given as [low, high] code-unit ranges. */
type Piece =
  | { kind: 'char'; code: number }
  | { kind: 'one' }
  | { kind: 'any' }
  | { kind: 'set'; negated: boolean; ranges: Array<[number, number]> };

/**
 * Compiles the glob of `clearPattern`: `*` matches any run of characters (`/`
 * included), `?` one character, `[abc]` / `[a-z]` / `[!a]` one of a set (a
 * reversed range `[z-a]` is `[a-z]`), `\x` the character x. Everything else
 * matches itself. This is the dialect of Redis's `MATCH`, so every backend
 * answers a pattern alike. Matching takes at most (text length × glob
 * length) steps, however many `*` the glob holds: no RegExp, so no
 * catastrophic backtracking on a hostile glob.
 */
export function compileGlob(glob: string): GlobPattern {
  const pieces = parse(glob);
  return { test: (text) => matches(pieces, text) };
}

function parse(glob: string): Piece[] {
  const pieces: Piece[] = [];
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*') {
      // Consecutive stars are one star.
      if (pieces.at(-1)?.kind !== 'any') pieces.push({ kind: 'any' });
    } else if (char === '?') pieces.push({ kind: 'one' });
    else if (char === '\\' && i + 1 < glob.length) {
      pieces.push({ kind: 'char', code: glob.charCodeAt(++i) });
    } else if (char === '[' && glob.indexOf(']', i + 2) !== -1) {
      const end = glob.indexOf(']', i + 2);
      let set = glob.slice(i + 1, end);
      const negated = set[0] === '!' || set[0] === '^';
      if (negated) set = set.slice(1);
      pieces.push({ kind: 'set', negated, ranges: ranges(set) });
      i = end;
    } else pieces.push({ kind: 'char', code: glob.charCodeAt(i) });
  }
  return pieces;
}

/** The members of a set as code-unit ranges: `a`, `a-z`, and `z-a` read as `a-z`, as Redis does. */
function ranges(set: string): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (let i = 0; i < set.length; i++) {
    const low = set.charCodeAt(i);
    if (set[i + 1] === '-' && i + 2 < set.length) {
      const high = set.charCodeAt(i + 2);
      found.push(low <= high ? [low, high] : [high, low]);
      i += 2;
    } else found.push([low, low]);
  }
  return found;
}

function accepts(piece: Piece, code: number): boolean {
  switch (piece.kind) {
    case 'char':
      return piece.code === code;
    case 'one':
      return true;
    case 'set':
      return piece.negated !== piece.ranges.some(([low, high]) => low <= code && code <= high);
    case 'any':
      return false;
  }
}

/**
 * Every piece but `*` takes one character, so a mismatch only ever needs to
 * go back to the last `*` and let it take one more character: the classic
 * two-pointer glob match, O(text × pieces).
 */
function matches(pieces: Piece[], text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let starText = 0;
  while (t < text.length) {
    const piece = pieces[p];
    if (piece?.kind === 'any') {
      star = p++;
      starText = t;
    } else if (piece !== undefined && accepts(piece, text.charCodeAt(t))) {
      p++;
      t++;
    } else if (star !== -1) {
      p = star + 1;
      t = ++starText;
    } else return false;
  }
  while (pieces[p]?.kind === 'any') p++;
  return p === pieces.length;
}
