/**
 * USER resolution against the image's own /etc/passwd and /etc/group (never
 * the host's NSS), with the semantics BuildKit gets from runc's
 * GetExecUser:
 *   ''            → root (uid 0), supplementary groups of the passwd entry of uid 0
 *   'uid:gid'     → numeric fast path, no file read, no supplementary groups
 *   'name'/'uid'  → passwd entry (a numeric uid without one is allowed: gid 0);
 *                   supplementary groups = /etc/group entries listing the name
 *   'x:group'     → gid from /etc/group by name (or numeric), no supplementary groups
 * `root` is accepted as 0 in the numeric fast path, as BuildKit does.
 * home: the passwd home of the final uid, '/' when there is none (what runc
 * puts in HOME when the environment has no HOME).
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { RootPathError, resolveInRoot } from '../../fs/root-path.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups (setgroups), in /etc/group order, without duplicates. */
  groups: number[];
  home: string;
}

export class UserResolutionError extends Error {
  constructor(
    message: string,
    readonly userSpec: string,
    /** The image file that was searched, e.g. '/etc/passwd'. */
    readonly file: string,
  ) {
    super(message);
    this.name = 'UserResolutionError';
  }
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}
interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const MAX_ID = 2 ** 31 - 1;
const MAX_FILE = 16 * 1024 * 1024;

function parseId(s: string): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= MAX_ID ? n : undefined;
}

/** Reads a file of the image (symlinks resolved inside the root); undefined when absent. */
async function readImageFile(root: string, path: string): Promise<string | undefined> {
  let rel: string;
  try {
    const r = resolveInRoot(root, path);
    if (!r.stat?.isFile()) return undefined;
    rel = r.rel;
  } catch (e) {
    if (e instanceof RootPathError) return undefined;
    throw e;
  }
  const fh = await open(join(root, rel), 'r');
  try {
    const st = await fh.stat();
    if (st.size > MAX_FILE) throw new Error(`${path} in the image is larger than ${MAX_FILE} bytes`);
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

/** The colon-separated fields of each record of /etc/passwd or /etc/group (blank lines and comments skipped). */
function records(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

function parsePasswd(text: string): PasswdEntry[] {
  return records(text).flatMap((f) => {
    const uid = parseId(f[2] ?? '');
    const gid = parseId(f[3] ?? '');
    return uid === undefined || gid === undefined ? [] : [{ name: f[0]!, uid, gid, home: f[5] ?? '' }];
  });
}

function parseGroup(text: string): GroupEntry[] {
  return records(text).flatMap((f) => {
    const gid = parseId(f[2] ?? '');
    if (gid === undefined) return [];
    const members = (f[3] ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter((m) => m !== '');
    return [{ name: f[0]!, gid, members }];
  });
}

/** A user or group name the image does not define. */
function notFound(
  spec: string,
  kind: 'user' | 'group',
  name: string,
  fileExists: boolean,
): UserResolutionError {
  const file = kind === 'user' ? '/etc/passwd' : '/etc/group';
  const where = fileExists ? `searched the image's ${file}` : `the image has no ${file}`;
  const fix =
    kind === 'user' ? 'useradd/adduser) or use a numeric uid' : 'groupadd/addgroup) or use a numeric gid';
  return new UserResolutionError(
    `USER ${spec}: no ${kind} named "${name}" (${where}); add the ${kind} in an earlier RUN (${fix}`,
    spec,
    file,
  );
}

/** Parses `uid:gid` where both are numeric or `root`. */
function fastPath(spec: string): { uid: number; gid: number } | undefined {
  const i = spec.indexOf(':');
  if (i < 0) return undefined;
  const id = (s: string) => (s === 'root' ? 0 : parseId(s));
  const uid = id(spec.slice(0, i));
  const gid = id(spec.slice(i + 1));
  return uid !== undefined && gid !== undefined ? { uid, gid } : undefined;
}

/** Resolves a Dockerfile USER value against the rootfs at `root`. */
export async function resolveUser(root: string, userSpec: string): Promise<ResolvedUser> {
  const spec = userSpec.trim();
  const passwdText = await readImageFile(root, '/etc/passwd');
  const passwd = passwdText === undefined ? [] : parsePasswd(passwdText);
  const homeOf = (uid: number) => passwd.find((p) => p.uid === uid)?.home || '/';

  const fast = fastPath(spec);
  if (fast) return { ...fast, groups: [], home: homeOf(fast.uid) };

  const i = spec.indexOf(':');
  const userArg = i < 0 ? spec : spec.slice(0, i);
  const groupArg = i < 0 ? '' : spec.slice(i + 1);
  const uidArg = parseId(userArg);

  let uid = 0;
  let gid = 0;
  let matched: PasswdEntry | undefined;
  if (userArg === '') matched = passwd.find((p) => p.uid === 0);
  else if (uidArg !== undefined) matched = passwd.find((p) => p.uid === uidArg);
  else matched = passwd.find((p) => p.name === userArg);

  if (matched) {
    uid = matched.uid;
    gid = matched.gid;
  } else if (userArg !== '') {
    if (uidArg === undefined) {
      throw notFound(userSpec, 'user', userArg, passwdText !== undefined);
    }
    uid = uidArg;
  }

  let groups: number[] = [];
  if (groupArg !== '' || matched) {
    const groupText = await readImageFile(root, '/etc/group');
    const groupFile = groupText === undefined ? [] : parseGroup(groupText);
    if (groupArg !== '') {
      const gidArg = parseId(groupArg);
      const g = groupFile.find((e) => (gidArg !== undefined ? e.gid === gidArg : e.name === groupArg));
      if (g) gid = g.gid;
      else if (gidArg !== undefined) gid = gidArg;
      else {
        throw notFound(userSpec, 'group', groupArg, groupText !== undefined);
      }
    } else if (matched) {
      for (const g of groupFile) {
        if (g.members.includes(matched.name) && !groups.includes(g.gid)) groups.push(g.gid);
      }
    }
  }
  if (groups.length > 65536) groups = groups.slice(0, 65536);
  return { uid, gid, groups, home: homeOf(uid) };
}
