// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell words under test are full of ${...}
import { describe, expect, test } from '@jest/globals';
import { ShellLex } from '../../src/dockerfile/shell-lex.js';
import { compileShellPattern } from '../../src/dockerfile/shell-pattern.js';

const env = (o: Record<string, string>) => new Map(Object.entries(o));
const word = (src: string, vars: Record<string, string> = {}, esc: '\\' | '`' = '\\') =>
  new ShellLex(esc).processWord(src, env(vars));
const words = (src: string, vars: Record<string, string> = {}, esc: '\\' | '`' = '\\') =>
  new ShellLex(esc).processWords(src, env(vars));

describe('quotes and escapes (escape token \\)', () => {
  test.each([
    ['hello', 'hello'],
    ["he'll'o", 'hello'],
    ["he\\'llo", "he'llo"],
    ['abc\\tdef', 'abctdef'],
    ['"abc\\tdef"', 'abc\\tdef'],
    ['"abc\\\\tdef"', 'abc\\tdef'],
    ["'abc\\tdef'", 'abc\\tdef'],
    ['hello\\', 'hello'],
    ['hello\\\\', 'hello\\'],
    ['"hel\'lo"', "hel'lo"],
    ["'hello\\'", 'hello\\'],
    ['"a\\"b"', 'a"b'],
    ['"a\\$b"', 'a$b'],
    ['"a\\`b"', 'a\\`b'],
    ['\\$HOME', '$HOME'],
    ["'$HOME'", '$HOME'],
    ['"$HOME"', '/root'],
    ['a\\ b', 'a b'],
    ['$', '$'],
    ['a$', 'a$'],
    ['$/x', '$/x'],
    ['"$"', '$'],
  ])('%s → %s', (src, expected) => {
    expect(word(src, { HOME: '/root' })).toBe(expected);
  });

  test.each([
    ["he'llo", 'single-quote'],
    ["he\\\\'llo", 'single-quote'],
    ['"hello', 'double-quote'],
    ['"hello\\"', 'double-quote'],
    ["'hello", 'single-quote'],
  ])('%s is an error (unterminated %s)', (src, kind) => {
    expect(() => word(src)).toThrow(
      `failed to process ${JSON.stringify(src)}: unexpected end of statement while looking for matching ${kind}`,
    );
  });
});

describe('quotes and escapes (escape token `)', () => {
  test.each([
    ['C:\\Windows\\System32', 'C:\\Windows\\System32'],
    ['a`$b', 'a$b'],
    ['a` b', 'a b'],
    ['"a`"b"', 'a"b'],
    ['"a`$X"', 'a$X'],
    ['"a``b"', 'a`b'],
    ['"a`xb"', 'a`xb'],
    ['"a\\"', 'a\\'],
    ['hello`', 'hello'],
    ['$X\\$X', 'v\\v'],
  ])('%s → %s', (src, expected) => {
    expect(word(src, { X: 'v' }, '`')).toBe(expected);
  });
});

describe('parameter expansion operators', () => {
  const vars = { SET: 'value', EMPTY: '', P: '/usr/local/lib/app.tar.gz', S: 'aXbXc', N: '1\n2x' };
  test.each([
    ['$SET', 'value'],
    ['${SET}', 'value'],
    ['${SET}x', 'valuex'],
    ['$SETx', ''],
    ['$UNSET', ''],
    ['$1', ''],
    ['$@', ''],
    ['${SET:-d}', 'value'],
    ['${EMPTY:-d}', 'd'],
    ['${UNSET:-d}', 'd'],
    ['${SET-d}', 'value'],
    ['${EMPTY-d}', ''],
    ['${UNSET-d}', 'd'],
    ['${UNSET:-$SET}', 'value'],
    ['${UNSET:-${UNSET2:-deep}}', 'deep'],
    ['${UNSET:-"a b"}', 'a b'],
    ['${SET:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${UNSET:+alt}', ''],
    ['${SET+alt}', 'alt'],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET+alt}', ''],
    ['${SET:?msg}', 'value'],
    ['${SET?msg}', 'value'],
    ['${EMPTY?msg}', ''],
    ['${P#*/}', 'usr/local/lib/app.tar.gz'],
    ['${P##*/}', 'app.tar.gz'],
    ['${P%.*}', '/usr/local/lib/app.tar'],
    ['${P%%.*}', '/usr/local/lib/app'],
    ['${P#/usr}', '/local/lib/app.tar.gz'],
    ['${P#nomatch}', '/usr/local/lib/app.tar.gz'],
    ['${P%/*/*}', '/usr/local'],
    ['${P#?}', 'usr/local/lib/app.tar.gz'],
    ['${UNSET#*}', ''],
    ['${N#*x}', '1\n2x'],
    ['${S/X/-}', 'a-bXc'],
    ['${S//X/-}', 'a-b-c'],
    ['${S/X*/-}', 'a-'],
    ['${S//?/.}', '.....'],
    ['${S/nomatch/-}', 'aXbXc'],
    ['${S/X/}', 'abXc'],
    ['${S//X/$SET}', 'avaluebvaluec'],
    ['${UNSET/x/y}', ''],
    ['${S//X/\\}}', 'a\\}b\\}c'],
    ['${S//X/$$}', 'abc'],
  ])('%s → %j', (src, expected) => {
    expect(word(src, vars)).toBe(expected);
  });

  test.each([
    ['${UNSET:?}', 'UNSET: is not allowed to be unset'],
    ['${UNSET?}', 'UNSET: is not allowed to be unset'],
    ['${EMPTY:?}', 'EMPTY: is not allowed to be empty'],
    ['${EMPTY:?custom $SET}', 'EMPTY: custom value'],
    ['${UNSET?must be set}', 'UNSET: must be set'],
    ['${', "syntax error: missing '}'"],
    ['${SET', "syntax error: missing '}'"],
    ['${SET:-x', "syntax error: missing '}'"],
    ['${SET:', "syntax error: missing '}'"],
    ['${SET:}', "syntax error: missing '}'"],
    ['${}', 'syntax error: bad substitution'],
    ['${:x}', 'syntax error: bad substitution'],
    ['${{x}', 'syntax error: bad substitution'],
    ['${SET x}', 'unsupported modifier ( ) in substitution'],
    ['${SET=x}', 'unsupported modifier (=) in substitution'],
    ['${SET:=x}', 'unsupported modifier (:=) in substitution'],
    ['${S/X}', "syntax error: missing '/' in ${}"],
    ['${S/X/y', "syntax error: missing '}'"],
    ['${S#\\x}', "invalid pattern (\\x) in substitution: invalid escape '\\x'"],
    ['${S/\\X/-}', "invalid pattern (\\X) in substitution: invalid escape '\\X'"],
  ])('%s fails: %s', (src, message) => {
    expect(() => word(src, vars)).toThrow(`failed to process ${JSON.stringify(src)}: ${message}`);
  });

  test('pattern escapes: \\* \\? \\\\ literal, \\} and \\/ protect the brace and slash', () => {
    expect(word('${FOO#()[]{\\}^$.\\*\\?|\\\\}', { FOO: '()[]{}^$.*?|\\x' })).toBe('x');
    expect(word('${FOO%%\\**}', { FOO: 'xx**' })).toBe('xx');
    expect(word('${FOO%%\\**\\*}', { FOO: 'a***yy*' })).toBe('a');
    expect(word('${FOO#?\\?}', { FOO: '???y' })).toBe('?y');
    expect(word('${FOO//\\//\\/}', { FOO: '/tmp/foo.txt' })).toBe('\\/tmp\\/foo.txt');
    expect(word('${FOO/$N/.} - ${FOO//$N/.}', { FOO: '/foo*/*/*.txt', N: '\\*/' })).toBe(
      '/foo.*/*.txt - /foo..*.txt',
    );
  });

  test('shortest vs longest match', () => {
    expect(word('${FOO#*x*y}', { FOO: 'xxyy' })).toBe('y');
    expect(word('${FOO##*x}', { FOO: 'xxyy' })).toBe('yy');
    expect(word('${FOO#*}', { FOO: 'xxyy' })).toBe('xxyy');
    expect(word('${FOO##*}', { FOO: 'xxyy' })).toBe('');
    expect(word('${FOO/$BAR/ww}', { FOO: 'xxyy', BAR: '' })).toBe('wwxxyy');
    expect(word('${FOO///}', { FOO: 'xxyy' })).toBe('xxyy');
    expect(word('${FOO/*/z}', { FOO: 'abc' })).toBe('z');
  });

  test('the platform file name idiom', () => {
    const w = 'app-${V}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz';
    expect(word(w, { V: '1', TARGETOS: 'linux', TARGETARCH: 'arm', TARGETVARIANT: 'v7' })).toBe(
      'app-1.linux-arm-v7.tar.gz',
    );
    expect(word(w, { V: '1', TARGETOS: 'linux', TARGETARCH: 'arm64', TARGETVARIANT: '' })).toBe(
      'app-1.linux-arm64.tar.gz',
    );
  });

  test('matched and unmatched variables are reported', () => {
    const r = new ShellLex().process('${A:-x} $B ${C}', env({ A: '1', C: '' }));
    expect([...r.matched].sort()).toEqual(['A', 'C']);
    expect([...r.unmatched]).toEqual(['B']);
  });

  test('hostile patterns run in linear time (no regex backtracking)', () => {
    const value = 'a'.repeat(20000);
    expect(word(`\${V//${'*a'.repeat(30)}b/x}`, { V: value })).toBe(value);
    expect(word(`\${V%%${'*a'.repeat(30)}b}`, { V: value })).toBe(value);
  });
});

describe('word splitting (processWords)', () => {
  const vars = { space: 'abc  def', leading: '  ab c', trailing: 'ab c   ', hi: 'hi' };
  test.each([
    ['hello', ['hello']],
    ['hello${hi}bye', ['hellohibye']],
    ['hello${space}bye', ['helloabc', 'defbye']],
    ['hello"${space}"bye', ['helloabc  defbye']],
    ['hello "${space}"bye', ['hello', 'abc  defbye']],
    ['hello${leading}def', ['hello', 'ab', 'cdef']],
    ['hello"${leading}" def', ['hello  ab c', 'def']],
    ['hello${trailing}d', ['helloab', 'c', 'd']],
    ['hello"${trailing}"d', ['helloab c   d']],
    ['hello there     ', ['hello', 'there']],
    ['hello\\ there', ['hello there']],
    ['hello\\" there', ['hello"', 'there']],
    ['hello"\\\\there"', ['hello\\there']],
    ["hello'\\\\there'", ['hello\\\\there']],
    ["hello'$there'", ['hello$there']],
    ['""', []],
    ['a "" b', ['a', 'b']],
    ['80/tcp  443', ['80/tcp', '443']],
  ])('%s → %j', (src, expected) => {
    expect(words(src, vars)).toEqual(expected);
  });
});

describe('lexer modes used by the parser', () => {
  test('rawQuotes + rawEscapes + skipUnsetEnv keep the text as written', () => {
    const lex = new ShellLex('\\', { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
    expect(lex.processWords('RUN cat <<"EOF" $X ${Y:-z} \\$w', new Map())).toEqual([
      'RUN',
      'cat',
      '<<"EOF"',
      '$X',
      '${Y:-z}',
      '\\$w',
    ]);
  });

  test('skipProcessQuotes leaves quotes alone (COPY heredoc bodies)', () => {
    const lex = new ShellLex('\\', { skipProcessQuotes: true });
    expect(lex.processWord('say "$X" \'$X\' \\$X\n', env({ X: 'hi' }))).toBe('say "hi" \'hi\' $X\n');
  });

  test('compileShellPattern rejects bad escapes', () => {
    expect(() => compileShellPattern('\\')).toThrow('invalid escape at the end of the pattern');
    expect(() => compileShellPattern('\\x')).toThrow("invalid escape '\\x'");
    expect(compileShellPattern('a\\*').matches('a*')).toBe(true);
    expect(compileShellPattern('a\\*').matches('ab')).toBe(false);
  });
});
