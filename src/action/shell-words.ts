/**
 * Splits a command-line string into words the way a POSIX shell does:
 * single quotes keep everything literally, double quotes keep everything but
 * `\$`, `` \` ``, `\"`, `\\` and backslash-newline, an unquoted backslash
 * keeps the next character, a `#` that starts a word comments out the rest
 * of the line. With a `lookup`, `$NAME` and `${NAME}` outside single quotes
 * expand to the variable's value (an unset one to nothing), as aevea's
 * `eval` did, but without field splitting (a value stays inside its word)
 * and without command substitution: `$(…)` and backquotes are refused.
 * Without one, `$VAR` is kept as written. Globs and `~` are never expanded.
 */
export class ShellWordsError extends Error {
  override name = 'ShellWordsError';
}

const BLANK = new Set([' ', '\t', '\n', '\r']);
const DQ_ESCAPABLE = new Set(['$', '`', '"', '\\']);

export interface Expansion {
  /** A variable's value; undefined when it is not set. */
  lookup: (name: string) => string | undefined;
  /** Told of each variable that expanded, and whether it was set. */
  used?: (name: string, set: boolean) => void;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** At text[i] === '$' or '`': the expansion's value and where it ends; undefined: a literal `$`. */
function expandAt(text: string, i: number, x: Expansion): { value: string; end: number } | undefined {
  if (text[i] === '`' || text[i + 1] === '(') {
    throw new ShellWordsError(
      `command substitution (${text[i] === '`' ? '`…`' : '$(…)'}) at character ${i + 1} is not supported: only $NAME and \${NAME} expand`,
    );
  }
  let name: string | undefined;
  let end: number;
  if (text[i + 1] === '{') {
    const close = text.indexOf('}', i + 2);
    name = close < 0 ? undefined : text.slice(i + 2, close);
    if (!name || NAME.exec(name)?.[0] !== name) {
      throw new ShellWordsError(
        `"${text.slice(i, close < 0 ? undefined : close + 1)}" at character ${i + 1}: only \${NAME} expands (no defaults or other operators)`,
      );
    }
    end = close + 1;
  } else {
    name = NAME.exec(text.slice(i + 1))?.[0];
    if (!name) return undefined;
    end = i + 1 + name.length;
  }
  const value = x.lookup(name);
  x.used?.(name, value !== undefined);
  return { value: value ?? '', end };
}

export function splitShellWords(text: string, expansion?: Expansion): string[] {
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
        if (expansion && (d === '$' || d === '`')) {
          const x = expandAt(text, i, expansion);
          if (x) {
            word += x.value;
            i = x.end;
            continue;
          }
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
    } else if (expansion && (c === '$' || c === '`')) {
      const x = expandAt(text, i, expansion);
      if (x) {
        // An unquoted expansion to nothing makes no word (as in sh).
        if (x.value) inWord = true;
        word += x.value;
        i = x.end;
      } else {
        word += c;
        inWord = true;
        i++;
      }
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  end();
  return words;
}
