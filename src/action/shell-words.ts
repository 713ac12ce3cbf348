/**
 * Splits a command-line string into words the way a POSIX shell does, minus
 * every expansion: single quotes keep everything literally, double quotes
 * keep everything but `\$`, `` \` ``, `\"`, `\\` and backslash-newline,
 * an unquoted backslash keeps the next character, a `#` that starts a word
 * comments out the rest of the line. `$VAR`, `$(…)`, globs and `~` are kept
 * as written: nothing is evaluated.
 */
export class ShellWordsError extends Error {
  override name = 'ShellWordsError';
}

const BLANK = new Set([' ', '\t', '\n', '\r']);
const DQ_ESCAPABLE = new Set(['$', '`', '"', '\\']);

export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  // True once the current word exists, even if empty (`''` is one empty word).
  let inWord = false;
  let i = 0;
  const end = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (BLANK.has(c)) {
      end();
      i++;
    } else if (c === '#' && !inWord) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) throw new ShellWordsError(`unterminated single quote at character ${i + 1}`);
      word += text.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (c === '"') {
      const start = i;
      i++;
      inWord = true;
      for (;;) {
        if (i >= text.length)
          throw new ShellWordsError(`unterminated double quote at character ${start + 1}`);
        const d = text[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && i + 1 < text.length) {
          const next = text[i + 1]!;
          if (next === '\n') {
            i += 2;
            continue;
          }
          if (DQ_ESCAPABLE.has(next)) {
            word += next;
            i += 2;
            continue;
          }
        }
        word += d;
        i++;
      }
    } else if (c === '\\') {
      if (i + 1 >= text.length) {
        throw new ShellWordsError('a backslash at the end escapes nothing (write \\\\ for a backslash)');
      }
      const next = text[i + 1]!;
      if (next !== '\n') {
        word += next;
        inWord = true;
      }
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  end();
  return words;
}
