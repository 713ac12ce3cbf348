/**
 * Parse benchmark: generates a 5,000-line Dockerfile (stages, continuations,
 * heredocs, JSON forms, ENV/LABEL pairs, COPY flags, comments) and prints the
 * median time of parseDockerfile (parse + type) and of planStages over
 * several runs. Run: npx tsx bench/dockerfile-parse.ts [lines] [runs]
 */
import { performance } from 'node:perf_hooks';
import { parseDockerfile } from '../src/dockerfile/dockerfile.js';
import { planStages } from '../src/dockerfile/stages.js';

function generate(targetLines: number): string {
  const out: string[] = ['# syntax=docker/dockerfile:1', 'ARG BASE=debian:bookworm-slim', 'ARG VERSION=1.0'];
  let stage = 0;
  while (out.length < targetLines) {
    out.push('', `FROM \${BASE} AS stage${stage}`, 'ARG VERSION', `WORKDIR /src/s${stage}`);
    if (stage > 0) out.push(`COPY --from=stage${stage - 1} /src /prev`);
    for (let i = 0; i < 8 && out.length < targetLines; i++) {
      out.push(
        `# step ${i} of stage ${stage}`,
        `ENV S${stage}_A${i}=one S${stage}_B${i}="two words" PATH=/opt/s${stage}/bin:$PATH`,
        `LABEL org.example.step${i}="stage ${stage}" version=\${VERSION}`,
        'RUN apt-get update \\',
        '    # a comment inside the continuation',
        `    && apt-get install -y --no-install-recommends pkg-${i} \\`,
        '    && rm -rf /var/lib/apt/lists/*',
        `COPY --chown=1000:1000 --chmod=0644 src/${i}/ ./dst/${i}/`,
        'RUN <<EOF',
        'set -eu',
        `echo "building step ${i}" > /tmp/step${i}`,
        'EOF',
        `RUN ["/bin/sh", "-c", "echo exec form ${i}"]`,
        `EXPOSE ${8000 + i} ${9000 + i}/udp`,
      );
    }
    out.push(
      'USER 1000:1000',
      'HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost/ || exit 1',
    );
    out.push(`CMD ["/app", "--stage", "${stage}"]`);
    stage++;
  }
  return `${out.slice(0, targetLines).join('\n')}\n`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const lines = Number(process.argv[2] ?? 5000);
const runs = Number(process.argv[3] ?? 15);
const text = generate(lines);
const opts = {
  buildArgs: new Map([['VERSION', '2.0']]),
  buildPlatform: { os: 'linux', architecture: 'amd64' },
  targetPlatform: { os: 'linux', architecture: 'amd64' },
};

// Warm up the JIT.
for (let i = 0; i < 3; i++) planStages(parseDockerfile(text, 'Dockerfile'), opts);

const parseTimes: number[] = [];
const planTimes: number[] = [];
let instructions = 0;
let stages = 0;
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const df = parseDockerfile(text, 'Dockerfile');
  const t1 = performance.now();
  const plan = planStages(df, opts);
  const t2 = performance.now();
  parseTimes.push(t1 - t0);
  planTimes.push(t2 - t1);
  instructions = df.stages.reduce((n, s) => n + 1 + s.instructions.length, df.metaArgs.length);
  stages = plan.stages.length;
}

console.log(
  `Dockerfile: ${text.split('\n').length - 1} lines, ${instructions} instructions, ${stages} stages planned; ${runs} runs (node ${process.version})`,
);
console.log(
  `parse+type median: ${median(parseTimes).toFixed(2)} ms (min ${Math.min(...parseTimes).toFixed(2)} ms)`,
);
console.log(
  `plan       median: ${median(planTimes).toFixed(2)} ms (min ${Math.min(...planTimes).toFixed(2)} ms)`,
);
