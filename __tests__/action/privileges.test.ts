import { describe, expect, test } from '@jest/globals';
import {
  choosePrivileges,
  dockerfileNeeds,
  type PrivilegeNeeds,
  type PrivilegeProbes,
} from '../../src/action/privileges.js';
import type { IsolationRequest } from '../../src/executor/options.js';

describe('dockerfileNeeds', () => {
  test.each([
    ['FROM scratch\nENV A=1\nLABEL b=c\nCMD ["x"]\n', { run: false }],
    ['FROM busybox\nRUN true\n', { run: true }],
    ['FROM busybox AS a\nRUN true\nFROM scratch\nCOPY --from=a /x /x\n', { run: true }],
    // COPY, ADD and WORKDIR need no privileges: their layers carry the owners.
    ['FROM scratch\nADD https://example.com/x /x\n', { run: false }],
    ['FROM busybox\nWORKDIR /app\n', { run: false }],
    // ONBUILD triggers run in a later build, not this one.
    ['FROM busybox\nONBUILD RUN make\n', { run: false }],
  ])('%j', (text, expected) => {
    expect(dockerfileNeeds(text, 'Dockerfile')).toEqual(expected);
  });

  test('a broken Dockerfile throws (the caller leaves it to the build)', () => {
    expect(() => dockerfileNeeds('RUN x\n', 'Dockerfile')).toThrow(/Dockerfile:1/);
  });
});

interface Case {
  name: string;
  isolation?: IsolationRequest;
  needs: PrivilegeNeeds | undefined;
  root?: boolean;
  sudo?: true | string;
  rootless?: true | string;
  /** kind + isolation, or the error's text. */
  expected: { kind: 'in-process' | 'sudo'; isolation?: IsolationRequest; reason: RegExp } | RegExp;
  /** Probes that must not be asked. */
  noProbe?: Array<'sudo' | 'rootless'>;
}

const RUN = { run: true };
const NOTHING = { run: false };
const NO_SUDO = 'sudo: a password is required';

const cases: Case[] = [
  {
    name: 'root: in process',
    root: true,
    needs: RUN,
    expected: { kind: 'in-process', reason: /running as root/ },
    noProbe: ['sudo', 'rootless'],
  },
  {
    name: 'unreadable Dockerfile: the build reports it',
    needs: undefined,
    expected: { kind: 'in-process', reason: /checked by the build/ },
    noProbe: ['sudo', 'rootless'],
  },
  {
    name: 'no RUN (config, COPY, ADD, WORKDIR): no privileges',
    needs: NOTHING,
    expected: { kind: 'in-process', reason: /no RUN steps: no privileges needed/ },
    noProbe: ['sudo', 'rootless'],
  },
  {
    name: 'RUN with sudo: sudo',
    needs: RUN,
    sudo: true,
    expected: {
      kind: 'sudo',
      reason: /RUN steps need root: running the build as root with passwordless sudo/,
    },
    noProbe: ['rootless'],
  },
  {
    name: 'RUN without sudo: rootless',
    needs: RUN,
    sudo: NO_SUDO,
    rootless: true,
    expected: {
      kind: 'in-process',
      isolation: 'rootless',
      reason: /\(sudo: a password is required\): using rootless/,
    },
  },
  {
    name: 'RUN without sudo or user namespaces: an error naming both',
    needs: RUN,
    sudo: NO_SUDO,
    rootless: 'unprivileged user namespaces are disabled',
    expected:
      /sudo -n is not available \(sudo: a password is required\), and rootless isolation is not \(unprivileged user namespaces are disabled\).*`container: ghcr\.io\/kiln-build\/kiln:debug`.*run: kiln build/s,
  },
  {
    name: 'isolation chroot without sudo: an error',
    isolation: 'chroot',
    needs: RUN,
    sudo: NO_SUDO,
    rootless: true,
    expected: /isolation chroot needs root.*or set isolation: rootless/,
    noProbe: ['rootless'],
  },
  {
    name: 'isolation rootless with RUN only: in process, no sudo asked',
    isolation: 'rootless',
    needs: RUN,
    expected: { kind: 'in-process', reason: /isolation rootless/ },
    noProbe: ['sudo', 'rootless'],
  },
  {
    name: 'isolation none: RUN is refused by the build, nothing needed',
    isolation: 'none',
    needs: RUN,
    expected: { kind: 'in-process', reason: /isolation none/ },
    noProbe: ['sudo', 'rootless'],
  },
];

describe('choosePrivileges', () => {
  test.each(cases)('$name', async (c) => {
    const asked: string[] = [];
    const probes: PrivilegeProbes = {
      isRoot: c.root ?? false,
      sudo: async () => {
        asked.push('sudo');
        return c.sudo ?? 'not expected';
      },
      rootless: async () => {
        asked.push('rootless');
        return c.rootless ?? 'not expected';
      },
    };
    const p = choosePrivileges(c.isolation ?? 'auto', c.needs, probes);
    if (c.expected instanceof RegExp) {
      await expect(p).rejects.toThrow(c.expected);
    } else {
      const got = await p;
      expect(got.kind).toBe(c.expected.kind);
      expect(got.reason).toMatch(c.expected.reason);
      expect(got.kind === 'in-process' ? got.isolation : undefined).toBe(c.expected.isolation);
    }
    for (const probe of c.noProbe ?? []) expect(asked).not.toContain(probe);
  });
});
