// Python's string semantics where the text metrics depend on them: the reference implementations
// (sacreBLEU, rouge-score, SQuAD's evaluate-v1.1.py) split on str.isspace() whitespace and match
// regex word boundaries on Unicode alphanumerics, which JavaScript's \s and \b do not (JS's \s has
// U+FEFF but not U+001C-U+001F or U+0085; its \b knows only ASCII word characters).

/** The characters of Python's str.isspace() (Unicode 14, as Python 3.11). */
const PY_SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const SPLIT_RE = new RegExp(`[${PY_SPACE}]+`, "u");
const RSTRIP_RE = new RegExp(`[${PY_SPACE}]+$`, "u");

/** Python's `s.split()`: runs of whitespace separate, no empty strings. */
export function pySplit(s: string): string[] {
  return s.split(SPLIT_RE).filter((t) => t.length > 0);
}

/** Python's `s.rstrip()`. */
export function pyRstrip(s: string): string {
  return s.replace(RSTRIP_RE, "");
}

/** Python's regex word character for str patterns: `ch.isalnum() or ch == "_"`, which is exactly
 *  the Unicode letters and numbers (categories L* and N*) and the underscore. */
export const PY_WORD = "[\\p{L}\\p{N}_]";
