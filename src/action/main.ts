/**
 * The action's run(): GitHub context → inputs → BuildOptions → credentials
 * → build() (here, or as root under sudo when RUN steps need it) → outputs
 * and job summary. Every failure ends in one annotation (on the Dockerfile's
 * line when it is a Dockerfile error) and a failed step.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as core from '@actions/core';
import { build } from '../executor/build.js';
import { probeIsolation } from '../executor/isolation/select.js';
import type { BuildOptions } from '../executor/options.js';
import type { BuildResult } from '../executor/result.js';
import { type FetchedContext, fetchGitContext, gitContextAuth, parseGitContext } from '../git/context.js';
import { Interrupts } from '../interrupt.js';
import type { Logger } from '../log.js';
import { dockerConfigPath } from '../registry/credentials.js';
import { type ActionLogger, actionLogger } from './action-logger.js';
import { errorAnnotation } from './annotations.js';
import { type ActionPlan, toBuildOptions } from './build-options.js';
import { restoreCacheMounts, saveCacheMounts } from './cache-mounts-gha.js';
import { type DockerConfig, writeDockerConfig } from './credentials.js';
import { renderFailureSummary } from './failure-summary.js';
import { formatDuration } from './format.js';
import { restoreGhaCache, saveGhaCache } from './gha-cache.js';
import { type GithubContext, githubContextFromEnv } from './github-context.js';
import { readInputs } from './inputs.js';
import { dockerLoad, findDocker, packOciArchive } from './local-outputs.js';
import { mergeDigests } from './merge-mode.js';
import { computeOutputs } from './outputs.js';
import { AUTH_DIR_STATE } from './post.js';
import { privilegedBuild, probeSudo } from './privileged-build.js';
import { choosePrivileges, type Execution, readDockerfileNeeds } from './privileges.js';
import { runAsRoot, setupQemu } from './qemu-setup.js';
import { maskSecrets, maskSecretsInput } from './secret-inputs.js';
import { renderSummary } from './summary.js';

function describePlan(log: Logger, options: BuildOptions, action: ActionPlan, github: GithubContext): void {
  const rel = (p: string) => path.relative(github.workspace, p) || '.';
  log.info(`context: ${rel(options.context)}`);
  log.info(`Dockerfile: ${rel(options.dockerfile)}${options.target ? ` (target ${options.target})` : ''}`);
  if (options.platforms.length > 0) log.info(`platforms: ${options.platforms.join(', ')}`);
  const by = options.pushByDigest ? ' (by digest, untagged)' : '';
  for (const r of action.references) log.info(`${options.push ? 'push to' : 'build for'}: ${r}${by}`);
  if (!options.push) log.info('push: false (build only)');
  log.info(`cache: ${action.cacheBackend}${options.cache.repo ? ` (${options.cache.repo})` : ''}`);
  log.info(
    action.credentials
      ? `credentials: ${action.credentials.username} for ${action.credentials.host}`
      : 'credentials: none (anonymous)',
  );
}

async function runBuild(
  options: BuildOptions,
  execution: Execution,
  log: ActionLogger,
  action: ActionPlan,
  github: GithubContext,
  interrupts: Interrupts,
): Promise<BuildResult> {
  try {
    if (execution.kind === 'in-process') return await build(options, log, { interrupt: interrupts });
    return await privilegedBuild(options, {
      log,
      verbose: action.debug,
      tempRoot: github.runnerTemp,
      node: process.execPath,
      script: path.resolve(process.argv[1] ?? ''),
      cwd: process.cwd(),
      env: process.env,
      owner: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
    });
  } finally {
    log.close();
  }
}

async function writeSummary(markdown: string, log: Logger): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    log.debug('GITHUB_STEP_SUMMARY is not set: no job summary');
    return;
  }
  try {
    await core.summary.addRaw(markdown).write();
  } catch (e) {
    log.warn(`writing the job summary: ${(e as Error).message}`);
  }
}

/** Fails the step with one message; a Dockerfile or registry error becomes its annotation. Returns the message. */
function fail(err: unknown, workspace: string, redact: (text: string) => string): string {
  const a = errorAnnotation(err, workspace);
  const message = redact(a.message);
  if (Object.keys(a.properties).length === 0) {
    core.setFailed(message);
    return message;
  }
  // What setFailed does, with the annotation's file, line and title.
  process.exitCode = core.ExitCode.Failure;
  core.error(message, a.properties);
  return message;
}

/** A Dockerfile an error points at (relative to the workspace or the working directory), for the failure summary. */
function readDockerfileText(file: string, workspace: string): string | undefined {
  for (const p of [path.resolve(workspace, file), path.resolve(file)]) {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      // next
    }
  }
  return undefined;
}

export async function run(): Promise<void> {
  const started = Date.now();
  let workspace = process.cwd();
  const log: ActionLogger = actionLogger(core);
  let dockerConfig: DockerConfig | undefined;
  let gitContext: FetchedContext | undefined;
  // A cancelled job (SIGINT, then SIGTERM) stops the build and removes the credentials.
  const interrupts = Interrupts.install({ notify: (m) => log.warn(m) });
  try {
    const github = githubContextFromEnv(process.env);
    workspace = github.workspace;
    // Masked before anything can print it, even an input error.
    log.secret(core.getInput('password'));
    log.secret(core.getInput('github-token'));
    maskSecretsInput(core.getInput('secrets'), (s) => log.secret(s));
    const inputs = readInputs((name) => core.getInput(name), github, process.env);
    log.secret(inputs.password);
    const { options, action } = toBuildOptions(inputs, github, github.runnerTemp);
    // Build secrets (inputs and extra_args --secret): files and variables included.
    maskSecrets(options.secrets, (s) => log.secret(s));
    log.setVerbose(action.debug);
    options.sourceDateEpoch ??= github.sourceDateEpoch;
    // ADD of a GitHub repository: the token goes to GitHub's hosts only.
    if (inputs.githubToken) options.gitAuthToken = inputs.githubToken;
    for (const w of action.warnings) log.warn(w);
    if (inputs.gitContext) {
      gitContext = await fetchContext(inputs.gitContext, inputs.githubToken, github.runnerTemp, log);
      options.context = gitContext.dir;
      options.dockerfile = path.resolve(gitContext.dir, inputs.gitContext.dockerfile);
    }

    // merge_digests: the merge job of a matrix build; nothing is built.
    const merging = inputs.mergeDigests.length > 0;
    const execution = await log.group(merging ? 'Kiln: plan (merge)' : 'Kiln: plan', async () => {
      if (merging) {
        for (const r of action.references) log.info(`index to: ${r}`);
        return undefined;
      }
      describePlan(log, options, action, github);
      const needs = await readDockerfileNeeds(options.dockerfile);
      const chosen = await choosePrivileges(options.isolation, needs, {
        isRoot: process.geteuid?.() === 0,
        sudo: () => probeSudo(process.env.PATH),
        rootless: () => probeIsolation('rootless', log),
      });
      if (chosen.kind === 'in-process' && chosen.isolation) options.isolation = chosen.isolation;
      log.info(`privileges: ${chosen.reason}`);
      return chosen;
    });
    const docker = action.outputs.load ? await findDocker(process.env.PATH) : undefined;

    if (action.credentials) {
      dockerConfig = await writeDockerConfig(action.credentials, github.runnerTemp, (s) => log.secret(s), {
        base: dockerConfigPath(),
        warn: (m) => log.warn(m),
      });
      options.dockerConfig = dockerConfig.path;
      // SIGKILL leaves it: the post step removes it then.
      core.saveState(AUTH_DIR_STATE, dockerConfig.dir);
      const dir = dockerConfig.dir;
      interrupts.onExit(() => rmSync(dir, { recursive: true, force: true }));
    }
    let result: BuildResult;
    if (!execution) {
      result = await mergeDigests(inputs.mergeDigests, action.references, options, log);
    } else {
      if (inputs.setupQemu) await setupQemu(options.platforms, { log, asRoot: runAsRoot });
      // cache_backend gha: the local cache directory travels between runs in the Actions cache.
      const restored = action.ghaCache ? await restoreGhaCache(action, log) : undefined;
      // cache_mounts: so does the archive of the RUN cache mounts.
      const mountsRestored = action.cacheMounts
        ? await restoreCacheMounts(action.cacheMounts, log)
        : undefined;

      result = await runBuild(options, execution, log, action, github, interrupts);
      if (action.ghaCache) await saveGhaCache(action, log, restored, { ttlMs: options.cache.ttlMs });
      if (action.cacheMounts) await saveCacheMounts(action.cacheMounts, log, mountsRestored ?? {});
      if (action.outputs.ociArchive && options.ociLayoutPath) {
        await packOciArchive(options.ociLayoutPath, action.outputs.ociArchive, log);
      }
      if (docker && action.outputs.load) await dockerLoad(docker, action.outputs.load, process.env, log);
    }

    // Pushed by digest: the references are name@digest, not the tags.
    const references = options.pushByDigest && options.push ? result.references : action.references;
    const outputs = computeOutputs(result, references);
    for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
    const mode = merging ? 'merge' : options.pushByDigest ? 'by-digest' : 'tags';
    await writeSummary(renderSummary({ result, references, push: options.push, mode }), log);
    log.info(`digest: ${result.digest}`);
    for (const p of result.platforms ?? []) log.info(`  ${p.platform}: ${p.digest}`);
    if (result.unchanged) {
      log.info(`unchanged (nothing pushed): ${result.unchanged.reference}@${result.unchanged.digest}`);
    } else {
      const done = options.push ? 'pushed' : 'built';
      for (const r of references) log.info(`${done}: ${r}`);
    }
    log.info(`done in ${formatDuration(Date.now() - started)}`);
  } catch (err) {
    if (interrupts.exitCode() !== undefined) {
      await dockerConfig?.cleanup();
      core.setFailed(`the build was stopped by ${(interrupts.signal.reason as Error).message}`);
      interrupts.exitInterrupted();
      return;
    }
    const message = fail(err, workspace, log.redact);
    await writeSummary(
      renderFailureSummary({
        error: err,
        message,
        readFile: (file) => readDockerfileText(file, workspace),
        durationMs: Date.now() - started,
      }),
      log,
    );
  } finally {
    await dockerConfig?.cleanup();
    await gitContext?.cleanup();
    interrupts.uninstall();
  }
}

/** A git context (build-push-action's `context: https://github.com/o/r.git#ref`), fetched into RUNNER_TEMP. */
async function fetchContext(
  spec: { url: string },
  token: string,
  tempRoot: string,
  log: Logger,
): Promise<FetchedContext> {
  return log.group('Kiln: git context', async () => {
    const ref = parseGitContext(spec.url, { kanikoGit: false, env: {} })!;
    const auth = gitContextAuth(ref, { GITHUB_SERVER_URL: process.env.GITHUB_SERVER_URL }, token);
    const fetched = await fetchGitContext(ref, {
      parent: tempRoot,
      ...(auth ? { auth } : {}),
      log: (l) => log.info(l),
    });
    log.info(`context: ${fetched.name} at ${fetched.commit}`);
    return fetched;
  });
}
