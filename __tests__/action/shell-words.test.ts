import { execFileSync } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import { ShellWordsError, splitShellWords } from '../../src/action/shell-words.js';

const CASES: [string, string[]][] = [
  ['', []],
  ['   \n\t ', []],
  ['--cache=true --cache-ttl 2h', ['--cache=true', '--cache-ttl', '2h']],
  ['--build-arg "MSG=hello world"', ['--build-arg', 'MSG=hello world']],
  ["--build-arg 'MSG=hello world'", ['--build-arg', 'MSG=hello world']],
  ['--build-arg MSG="hello world"', ['--build-arg', 'MSG=hello world']],
  ['--build-arg MSG=hello\\ world', ['--build-arg', 'MSG=hello world']],
  ["'it''s'", ['its']],
  ['"it\'s"', ["it's"]],
  ['\'a "b" c\'', ['a "b" c']],
  ['"a \\"b\\" c"', ['a "b" c']],
  ['"back\\\\slash"', ['back\\slash']],
  ['"keep \\n and \\t"', ['keep \\n and \\t']],
  ["'single \\ keeps backslash'", ['single \\ keeps backslash']],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, kept literally
  ['"$HOME" $HOME ${X} $(id) `id` ~ *', ['$HOME', '$HOME', '${X}', '$(id)', '`id`', '~', '*']],
  ['"\\$HOME"', ['$HOME']],
  ['\'\' ""', ['', '']],
  ['a""b', ['ab']],
  ['--a \\\n  --b', ['--a', '--b']],
  ['"line\\\ncontinued"', ['linecontinued']],
  ['"multi\nline"', ['multi\nline']],
  ['--a # a comment\n--b', ['--a', '--b']],
  ['a#b', ['a#b']],
  ['"#not" \\#not', ['#not', '#not']],
  ['a\r\nb', ['a', 'b']],
  ['--a\n--b\n--c', ['--a', '--b', '--c']],
  ['--label=k=v=w', ['--label=k=v=w']],
];

describe('splitShellWords: POSIX quoting, no expansion', () => {
  test.each(CASES)('%j', (input, words) => {
    expect(splitShellWords(input)).toEqual(words);
  });

  // The reference: /bin/sh splitting the same text, for inputs where it would expand nothing.
  // An unquoted newline separates words here (as it did in aevea's unquoted $INPUT_EXTRA_ARGS,
  // so a YAML block can hold one flag per line); in sh it would end the command.
  const unquotedNewline = new Set(['--a # a comment\n--b', 'a\r\nb', '--a\n--b\n--c']);
  const plain = CASES.filter(
    ([input, words]) => words.length > 0 && !/[$`~*]/.test(input) && !unquotedNewline.has(input),
  );
  test('the /bin/sh cross-check covers most cases', () => {
    expect(plain.length).toBeGreaterThan(15);
  });
  test.each(plain)('same words as /bin/sh: %j', (input) => {
    const out = execFileSync('sh', ['-c', `printf '%s\\0' ${input}`], { encoding: 'utf8' });
    expect(splitShellWords(input)).toEqual(out.split('\0').slice(0, -1));
  });

  test.each([
    ["'open", /unterminated single quote at character 1/],
    ['ok "open', /unterminated double quote at character 4/],
    ['trailing\\', /a backslash at the end escapes nothing/],
  ])('%j is an error', (input, message) => {
    expect(() => splitShellWords(input)).toThrow(ShellWordsError);
    expect(() => splitShellWords(input)).toThrow(message);
  });
});
