/**
 * `kiln check` (and `kiln build --check`): BuildKit's build checks alone,
 * as `docker build --check` runs them. Takes the build flags (context,
 * Dockerfile, build args, target, platform, registry options); checks every
 * stage, or those the --target needs; fetches the base images' configs (not
 * their layers) for the checks that read them. Prints each finding with its
 * line and exits 1 when there is any, 0 when there is none.
 */
import path from 'node:path';
import { checkDockerfile } from '../dockerfile/checks/build-checks.js';
import { formatFinding } from '../dockerfile/checks/index.js';
import { parseDockerfile } from '../dockerfile/dockerfile.js';
import { loadDockerignore } from '../dockerfile/dockerignore.js';
import { hostPlatform, parsePlatform } from '../dockerfile/platform.js';
import { planStages } from '../dockerfile/stages.js';
import { registryClientOptions } from '../executor/library-options.js';
import type { BuildOptions } from '../executor/options.js';
import { readDockerfile } from '../executor/plan.js';
import { parseReference } from '../image/reference.js';
import type { Logger } from '../log.js';
import { RegistryClient } from '../registry/client.js';
import { dockerConfigCredentials } from '../registry/credentials.js';
import { pullImage } from '../registry/pull.js';

/** The checks of options.dockerfile; the lines to print and the exit code. */
export async function runChecksOnly(
  options: BuildOptions,
  log: Logger,
  display: (file: string) => string,
): Promise<{ output: string; exitCode: number }> {
  const name = display(options.dockerfile);
  const text = await readDockerfile(options.dockerfile);
  const df = parseDockerfile(text, name, {
    ignoreSyntax: options.ignoreSyntax,
    override: options.buildArgs.get('BUILDKIT_SYNTAX'),
  });
  log.debug(df.syntax.description);
  const host = hostPlatform();
  // The checks of the first target platform (they do not depend on it but for FROM platforms).
  const first = options.platforms[0];
  const target = first ? parsePlatform(first) : host;
  // With --target, the stages it needs (as a build would check them); without, every stage.
  const stages = options.target
    ? planStages(df, {
        target: options.target,
        buildArgs: options.buildArgs,
        buildPlatform: host,
        targetPlatform: target,
      }).stages.map((p) => p.index)
    : undefined;
  const ignore = await loadDockerignore(options.context, options.dockerfile);
  const credentials = dockerConfigCredentials(
    options.dockerConfig ? { configPath: options.dockerConfig } : {},
  );
  const registry = new RegistryClient(registryClientOptions(options, { credentials, logger: log }));
  try {
    const report = await checkDockerfile(df, {
      buildArgs: options.buildArgs,
      buildPlatform: host,
      targetPlatform: target,
      ...(options.target ? { target: options.target } : {}),
      ...(stages ? { stages } : {}),
      dockerignore: ignore.matcher,
      pull: (ref, platform) => pullImage(registry, parseReference(ref), { platform }),
    });
    if (!report.ran) {
      return {
        output: `${name}: no checks: the # syntax= version predates build checks (Dockerfile syntax 1.8)\n`,
        exitCode: 0,
      };
    }
    const lines = text.split('\n');
    const out: string[] = [];
    for (const f of report.findings) {
      out.push(formatFinding(f));
      const src = lines[f.location.startLine - 1];
      if (src !== undefined)
        out.push(`  ${String(f.location.startLine).padStart(4)} | ${src.replace(/\r$/, '')}`);
    }
    const n = report.findings.length;
    out.push(
      n === 0
        ? 'Check complete, no warnings found.'
        : `Check complete, ${n} warning${n === 1 ? ' has' : 's have'} been found!`,
    );
    if (report.error) out.push(report.error.message);
    return { output: `${out.join('\n')}\n`, exitCode: n > 0 ? 1 : 0 };
  } finally {
    await registry.close();
  }
}

/** How a path is shown: relative to the working directory when inside it. */
export function displayPath(cwd: string): (file: string) => string {
  return (file) => {
    const rel = path.relative(cwd, file);
    return rel && !rel.startsWith('..') ? rel : file;
  };
}
