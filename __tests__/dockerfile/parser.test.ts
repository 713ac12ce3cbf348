import { describe, expect, test } from '@jest/globals';
import { DockerfileError } from '../../src/dockerfile/errors.js';
import { extractBuilderFlags, parseWords } from '../../src/dockerfile/line-parsers.js';
import { MAX_LINE_BYTES, type Node, parseNodes } from '../../src/dockerfile/parser.js';

const nodes = (text: string) => parseNodes(text, 'Dockerfile').nodes;
const one = (text: string): Node => {
  const n = nodes(text);
  expect(n).toHaveLength(1);
  return n[0]!;
};

function parseError(text: string): DockerfileError {
  try {
    parseNodes(text, 'Dockerfile');
  } catch (err) {
    expect(err).toBeInstanceOf(DockerfileError);
    return err as DockerfileError;
  }
  throw new Error('expected a DockerfileError');
}

describe('parser directives', () => {
  test('syntax, escape and check at the top; case-insensitive names, spaces allowed', () => {
    const r = parseNodes(
      '# syntax = docker/dockerfile:1\n#ESCAPE=`\n# check=skip=all\nFROM x\n',
      'Dockerfile',
    );
    expect(r.directives).toEqual([
      { name: 'syntax', value: 'docker/dockerfile:1', line: 1 },
      { name: 'escape', value: '`', line: 2 },
      { name: 'check', value: 'skip=all', line: 3 },
    ]);
    expect(r.escapeToken).toBe('`');
  });

  test.each([
    ['after a comment', '# hello\n# escape=`\nFROM x\n'],
    ['after a blank line', '\n# escape=`\nFROM x\n'],
    ['after an instruction', 'FROM x\n# escape=`\n'],
    ['after an unknown directive', '# foo=bar\n# escape=`\nFROM x\n'],
    ['without a value', '# escape=\nFROM x\n'],
  ])('a directive %s is only a comment', (_name, text) => {
    const r = parseNodes(text, 'Dockerfile');
    expect(r.escapeToken).toBe('\\');
    expect(r.directives.filter((d) => d.name === 'escape')).toEqual([]);
  });

  test.each([
    ['# escape=`\n# escape=\\\nFROM x\n', 2, 'only one escape parser directive can be used'],
    ['# syntax=a\n# SYNTAX=b\nFROM x\n', 2, 'only one syntax parser directive can be used'],
    ['# escape=x\nFROM x\n', 1, "invalid escape token 'x' does not match ` or \\"],
  ])('%j → line %i: %s', (text, line, detail) => {
    const err = parseError(text);
    expect(err.line).toBe(line);
    expect(err.detail).toBe(detail);
    expect(err.message).toBe(`Dockerfile:${line}: ${detail}`);
  });

  test('a byte order mark before the first line is ignored', () => {
    const r = parseNodes('\uFEFF# escape=`\nFROM x\n', 'Dockerfile');
    expect(r.escapeToken).toBe('`');
    expect(r.nodes[0]!.keyword).toBe('from');
  });
});

describe('lines, comments and continuations', () => {
  test('instruction names are case-insensitive; lines are 1-based', () => {
    const n = nodes('from alpine\n\n  Run echo hi\nrUn   echo there\n');
    expect(n.map((x) => [x.keyword, x.keywordAsWritten, x.startLine, x.endLine])).toEqual([
      ['from', 'from', 1, 1],
      ['run', 'Run', 3, 3],
      ['run', 'rUn', 4, 4],
    ]);
  });

  test('continuations join lines as written; comment and empty lines inside are skipped', () => {
    const r = parseNodes('RUN a \\\n  # a comment\n\n  b \\  \n#another\n  c\nRUN d\n', 'Dockerfile');
    expect(r.nodes[0]!.args).toEqual(['a   b   c']);
    expect([r.nodes[0]!.startLine, r.nodes[0]!.endLine]).toEqual([1, 6]);
    expect(r.nodes[1]!.startLine).toBe(7);
    // BuildKit's NoEmptyContinuation check reports it at the instruction's last line.
    expect(r.nodes[0]!.emptyContinuationLine).toBe(6);
    expect(r.nodes[1]!.emptyContinuationLine).toBeUndefined();
  });

  test('an escaped escape token at the end does not continue the line', () => {
    const n = nodes('RUN echo a\\\\\nRUN echo b\n');
    expect(n.map((x) => x.args[0])).toEqual(['echo a\\\\', 'echo b']);
  });

  test('with `# escape=`` ` `` the backtick continues lines and backslashes are literal', () => {
    const n = nodes('# escape=`\nRUN dir C:\\ `\n  /s\nWORKDIR C:\\app\\\n');
    expect(n.map((x) => x.args)).toEqual([['dir C:\\   /s'], ['C:\\app\\']]);
  });

  test('a continuation at the end of the file ends the instruction', () => {
    expect(one('RUN a \\\n').args).toEqual(['a']);
  });

  test('a line that is only the escape token starts a continuation', () => {
    expect(one('\\\nRUN x\n').args).toEqual(['x']);
  });

  test('CRLF line endings are accepted', () => {
    const n = nodes('FROM x\r\nRUN a \\\r\n  b\r\n');
    expect(n.map((x) => x.original)).toEqual(['FROM x', 'RUN a   b']);
  });

  test('# starts a comment only at the start of a line', () => {
    expect(one('RUN echo # not a comment\n').args).toEqual(['echo # not a comment']);
    expect(nodes('   # indented comment\nFROM x\n')).toHaveLength(1);
  });

  test(`a line longer than ${MAX_LINE_BYTES} bytes is an error naming its line`, () => {
    const err = parseError(`FROM x\nRUN echo ${'é'.repeat(MAX_LINE_BYTES / 2)}\n`);
    expect(err.line).toBe(2);
    expect(err.detail).toMatch(/longer than the maximum of 65535 bytes/);
    expect(nodes(`RUN ${'a'.repeat(MAX_LINE_BYTES - 4)}\n`)).toHaveLength(1);
  });

  test.each([
    ['', 1],
    ['\n\n', 2],
    ['# only\n# comments\n', 2],
  ])('no instructions in %j → error at line %i', (text, line) => {
    const err = parseError(text);
    expect(err.line).toBe(line);
    expect(err.detail).toMatch(/^file with no instructions/);
  });
});

describe('flags and argument forms', () => {
  test('flags come off the front, with quotes and \\ escapes removed; -- ends them', () => {
    expect(extractBuilderFlags('--a=1 --b="x y" --c --d=\'q\\\'s\' rest of "line"')).toEqual({
      flags: ['--a=1', '--b=x y', '--c', "--d=q's"],
      rest: 'rest of "line"',
    });
    expect(extractBuilderFlags('--a -- --b c')).toEqual({ flags: ['--a'], rest: ' --b c' });
    expect(extractBuilderFlags('-x --a')).toEqual({ flags: [], rest: '-x --a' });
    expect(one('COPY --from=a --chown=1:1 x y\n').flags).toEqual(['--from=a', '--chown=1:1']);
  });

  test.each([
    ['RUN ["echo", "a b"]', ['echo', 'a b'], true],
    ['RUN echo "a b"', ['echo "a b"'], false],
    ['RUN [ -f x ] && echo', ['[ -f x ] && echo'], false],
    ['RUN ["echo", "a"] trailing', ['["echo", "a"] trailing'], false],
    ['RUN []', [], true],
    ['RUN', [], false],
    ['CMD ["a"]', ['a'], true],
    ['ENTRYPOINT exec app', ['exec app'], false],
    ['SHELL ["/bin/bash", "-c"]', ['/bin/bash', '-c'], true],
    ['COPY ["a b", "c"]', ['a b', 'c'], true],
    ['COPY "a b" c', ['"a', 'b"', 'c'], false],
    ['ADD  a \t b  ', ['a', 'b'], false],
    ['VOLUME ["/a", "/b"]', ['/a', '/b'], true],
    ['VOLUME /a /b', ['/a', '/b'], false],
    ['HEALTHCHECK CMD ["curl", "x"]', ['CMD', 'curl', 'x'], true],
    ['HEALTHCHECK CMD curl x', ['CMD', 'curl x'], false],
    ['HEALTHCHECK NONE', ['NONE'], false],
    ['EXPOSE 80  443/udp', ['80', '443/udp'], false],
    ['FROM a AS b', ['a', 'AS', 'b'], false],
    ['USER a b', ['a b'], false],
    ['WORKDIR /a b', ['/a b'], false],
    ['ENV A=1 B="x y"', ['A', '1', 'B', '"x y"'], false],
    ['ENV A  x  y', ['A', 'x  y'], false],
    ['LABEL "a b"=c d=\'e f\'', ['"a b"', 'c', 'd', "'e f'"], false],
    ['ARG A B=2 C="x y"', ['A', 'B=2', 'C="x y"'], false],
    ['MAINTAINER Jane <j@x>', ['Jane <j@x>'], false],
    ['FOO bar baz', [], false],
  ])('%s → %j (json %s)', (line, args, json) => {
    const n = one(`${line}\n`);
    expect(n.args).toEqual(args);
    expect(n.json).toBe(json);
  });

  test('ONBUILD keeps its trigger as a sub-node', () => {
    const n = one('ONBUILD RUN --network=none make\n');
    expect(n.sub).toMatchObject({ keyword: 'run', flags: ['--network=none'], args: ['make'] });
  });

  test('JSON arrays must hold strings only', () => {
    const err = parseError('FROM x\nCMD ["a", 1]\n');
    expect(err.line).toBe(2);
    expect(err.detail).toBe('when using JSON array syntax, arrays must be comprised of strings only');
  });

  test('ENV/LABEL syntax errors name the line', () => {
    expect(parseError('FROM x\nENV A=1 B\n').message).toBe(
      'Dockerfile:2: syntax error: can\'t find = in "B"; write ENV name=value pairs',
    );
    expect(parseError('FROM x\n\nLABEL onlykey\n').message).toBe(
      'Dockerfile:3: LABEL must have two arguments (LABEL KEY=value)',
    );
  });

  test('parseWords keeps quotes and escapes, honours the escape token', () => {
    expect(parseWords('a="x y" b=\\" c', '\\')).toEqual(['a="x y"', 'b=\\"', 'c']);
    expect(parseWords("a='x \\' y", '\\')).toEqual(["a='x \\'", 'y']);
    expect(parseWords('a=`" b', '`')).toEqual(['a=`"', 'b']);
  });
});

describe('heredocs', () => {
  test('RUN <<EOF: the body with its newlines, expansion on', () => {
    const n = one('RUN <<EOF\necho $HOME\n  indented\nEOF\n');
    expect(n.args).toEqual(['<<EOF']);
    expect(n.heredocs).toEqual([
      { name: 'EOF', content: 'echo $HOME\n  indented\n', chomp: false, expand: true },
    ]);
    expect([n.startLine, n.endLine]).toEqual([1, 4]);
  });

  test('<<-EOF: the delimiter may be tab-indented; the body is kept as written (chomped later)', () => {
    const n = one('RUN <<-EOF\n\techo hi\n\tEOF\n');
    expect(n.heredocs).toEqual([{ name: 'EOF', content: '\techo hi\n', chomp: true, expand: true }]);
  });

  test.each([
    ["<<'EOF'", 'EOF'],
    ['<<"EOF"', 'EOF'],
    ['<<E"O"F', 'EOF'],
    ["<<-'END'", 'END'],
  ])('a quoted delimiter %s turns expansion off', (marker, name) => {
    const n = one(`RUN cat ${marker}\n$X\n${name}\n`);
    expect(n.heredocs[0]).toMatchObject({ name, expand: false, content: '$X\n' });
  });

  test('several heredocs on one line are read in order', () => {
    const n = one('RUN cat <<A && cat <<B > out\na1\nA\nb1\nb2\nB\nRUN next\n'.split('RUN next')[0]!);
    expect(n.heredocs.map((h) => [h.name, h.content])).toEqual([
      ['A', 'a1\n'],
      ['B', 'b1\nb2\n'],
    ]);
    const all = nodes('RUN cat <<A <<B\na\nA\nb\nB\nRUN next\n');
    expect(all.map((x) => [x.startLine, x.endLine])).toEqual([
      [1, 5],
      [6, 6],
    ]);
  });

  test('COPY and ADD take heredoc sources; a file descriptor is kept', () => {
    expect(one('COPY <<file.txt /dst/\nhello\nfile.txt\n').heredocs).toEqual([
      { name: 'file.txt', content: 'hello\n', chomp: false, expand: true },
    ]);
    expect(one('RUN 3<<EOF cat /dev/fd/3\nx\nEOF\n').heredocs[0]).toMatchObject({ name: 'EOF', fd: 3 });
    expect(one('ADD <<EOF /x\ny\nEOF\n').heredocs).toHaveLength(1);
  });

  test('the heredoc starts after the whole continued line', () => {
    const n = one('RUN --network=none \\\n  cat <<EOF\nbody\nEOF\n');
    expect(n.heredocs[0]!.content).toBe('body\n');
    expect([n.startLine, n.endLine]).toEqual([1, 4]);
  });

  test('ONBUILD RUN <<EOF carries the heredoc', () => {
    const n = one('ONBUILD RUN <<EOF\necho hi\nEOF\n');
    expect(n.heredocs).toEqual([{ name: 'EOF', content: 'echo hi\n', chomp: false, expand: true }]);
  });

  test.each([
    ['RUN ["cat", "<<EOF"]\nEOF\n', 'exec form'],
    ['RUN cat <<- EOF\n', 'a space after <<- (BuildKit splits "<<-" and "EOF")'],
    ['RUN cat <<<EOF\n', 'a here-string'],
    ['CMD cat <<EOF\n', 'CMD'],
    ['RUN echo "<<EOF"\n', 'a quoted <<'],
  ])('no heredoc: %s (%s)', (text) => {
    expect(nodes(text)[0]!.heredocs).toEqual([]);
  });

  test('body lines are not comments or continuations', () => {
    const n = one('RUN <<EOF\n# kept\nline \\\nEOF\n');
    expect(n.heredocs[0]!.content).toBe('# kept\nline \\\n');
  });

  test('an unterminated heredoc is an error at its instruction', () => {
    const err = parseError('FROM x\nRUN <<EOF\necho\nEOFX\n');
    expect(err.line).toBe(2);
    expect(err.endLine).toBe(4);
    expect(err.detail).toMatch(/^unterminated heredoc/);
  });
});
