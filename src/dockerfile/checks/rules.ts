/**
 * BuildKit's build checks (frontend/dockerfile/linter/ruleset.go): the same
 * names, descriptions, documentation URLs and messages, and the Dockerfile
 * syntax version that introduced each (a `# syntax=` older than that does
 * not run it, as an older BuildKit frontend would not).
 */

export interface CheckRule {
  name: string;
  description: string;
  /** Docker's page for the rule (InvalidBaseImagePlatform has none). */
  url?: string;
  /** Dockerfile syntax 1.N that introduced the rule. */
  since: number;
  /** Runs only when `# check=experimental=…` names it (or all). */
  experimental?: boolean;
}

const doc = (slug: string) => `https://docs.docker.com/go/dockerfile/rule/${slug}/`;

function rule<F extends (...args: never[]) => string>(r: CheckRule, format: F): CheckRule & { format: F } {
  return { ...r, format };
}

export const RULES = {
  StageNameCasing: rule(
    {
      name: 'StageNameCasing',
      description: 'Stage names should be lowercase',
      url: doc('stage-name-casing'),
      since: 8,
    },
    (stageName: string) => `Stage name '${stageName}' should be lowercase`,
  ),
  FromAsCasing: rule(
    {
      name: 'FromAsCasing',
      description: "The 'as' keyword should match the case of the 'from' keyword",
      url: doc('from-as-casing'),
      since: 8,
    },
    (from: string, as: string) => `'${as}' and '${from}' keywords' casing do not match`,
  ),
  NoEmptyContinuation: rule(
    {
      name: 'NoEmptyContinuation',
      description: 'Empty continuation lines will become errors in a future release',
      url: doc('no-empty-continuation'),
      since: 8,
    },
    () => 'Empty continuation line',
  ),
  ConsistentInstructionCasing: rule(
    {
      name: 'ConsistentInstructionCasing',
      description: 'All commands within the Dockerfile should use the same casing (either upper or lower)',
      url: doc('consistent-instruction-casing'),
      since: 8,
    },
    (violating: string, casing: string) =>
      `Command '${violating}' should match the case of the command majority (${casing})`,
  ),
  DuplicateStageName: rule(
    {
      name: 'DuplicateStageName',
      description: 'Stage names should be unique',
      url: doc('duplicate-stage-name'),
      since: 8,
    },
    (stageName: string) => `Duplicate stage name ${JSON.stringify(stageName)}, stage names should be unique`,
  ),
  ReservedStageName: rule(
    {
      name: 'ReservedStageName',
      description: 'Reserved words should not be used as stage names',
      url: doc('reserved-stage-name'),
      since: 8,
    },
    (name: string) => `Stage name should not use the same name as reserved stage ${JSON.stringify(name)}`,
  ),
  JSONArgsRecommended: rule(
    {
      name: 'JSONArgsRecommended',
      description:
        'JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals',
      url: doc('json-args-recommended'),
      since: 8,
    },
    (instruction: string) =>
      `JSON arguments recommended for ${instruction} to prevent unintended behavior related to OS signals`,
  ),
  MaintainerDeprecated: rule(
    {
      name: 'MaintainerDeprecated',
      description: 'The MAINTAINER instruction is deprecated, use a label instead to define an image author',
      url: doc('maintainer-deprecated'),
      since: 8,
    },
    () => 'Maintainer instruction is deprecated in favor of using label',
  ),
  UndefinedArgInFrom: rule(
    {
      name: 'UndefinedArgInFrom',
      description: 'FROM command must use declared ARGs',
      url: doc('undefined-arg-in-from'),
      since: 8,
    },
    (arg: string, suggest: string) =>
      `FROM argument '${arg}' is not declared${suggest ? ` (did you mean ${suggest}?)` : ''}`,
  ),
  WorkdirRelativePath: rule(
    {
      name: 'WorkdirRelativePath',
      description:
        'Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes',
      url: doc('workdir-relative-path'),
      since: 8,
    },
    (workdir: string) =>
      `Relative workdir ${JSON.stringify(workdir)} can have unexpected results if the base image changes`,
  ),
  UndefinedVar: rule(
    {
      name: 'UndefinedVar',
      description: 'Variables should be defined before their use',
      url: doc('undefined-var'),
      since: 8,
    },
    (arg: string, suggest: string) =>
      `Usage of undefined variable '$${arg}'${suggest ? ` (did you mean $${suggest}?)` : ''}`,
  ),
  MultipleInstructionsDisallowed: rule(
    {
      name: 'MultipleInstructionsDisallowed',
      description: 'Multiple instructions of the same type should not be used in the same stage',
      url: doc('multiple-instructions-disallowed'),
      since: 8,
    },
    (instruction: string) =>
      `Multiple ${instruction} instructions should not be used in the same stage because only the last one will be used`,
  ),
  LegacyKeyValueFormat: rule(
    {
      name: 'LegacyKeyValueFormat',
      description: 'Legacy key/value format with whitespace separator should not be used',
      url: doc('legacy-key-value-format'),
      since: 8,
    },
    (cmd: string) => `"${cmd} key=value" should be used instead of legacy "${cmd} key value" format`,
  ),
  InvalidBaseImagePlatform: rule(
    {
      name: 'InvalidBaseImagePlatform',
      description: 'Base image platform does not match expected target platform',
      since: 8,
    },
    (image: string, expected: string, actual: string) =>
      `Base image ${image} was pulled with platform ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)} for current build`,
  ),
  RedundantTargetPlatform: rule(
    {
      name: 'RedundantTargetPlatform',
      description:
        'Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior',
      url: doc('redundant-target-platform'),
      since: 9,
    },
    (platformVar: string) =>
      `Setting platform to predefined ${platformVar} in FROM is redundant as this is the default behavior`,
  ),
  SecretsUsedInArgOrEnv: rule(
    {
      name: 'SecretsUsedInArgOrEnv',
      description: 'Sensitive data should not be used in the ARG or ENV commands',
      url: doc('secrets-used-in-arg-or-env'),
      since: 9,
    },
    (instruction: string, key: string) =>
      `Do not use ARG or ENV instructions for sensitive data (${instruction} ${JSON.stringify(key)})`,
  ),
  InvalidDefaultArgInFrom: rule(
    {
      name: 'InvalidDefaultArgInFrom',
      description: 'Default value for global ARG results in an empty or invalid base image name',
      url: doc('invalid-default-arg-in-from'),
      since: 9,
    },
    (baseName: string) => `Default value for ARG ${baseName} results in empty or invalid base image name`,
  ),
  FromPlatformFlagConstDisallowed: rule(
    {
      name: 'FromPlatformFlagConstDisallowed',
      description: 'FROM --platform flag should not use a constant value',
      url: doc('from-platform-flag-const-disallowed'),
      since: 9,
    },
    (platform: string) => `FROM --platform flag should not use constant value ${JSON.stringify(platform)}`,
  ),
  CopyIgnoredFile: rule(
    {
      name: 'CopyIgnoredFile',
      description: 'Attempting to Copy file that is excluded by .dockerignore',
      url: doc('copy-ignored-file'),
      since: 9,
    },
    (cmd: string, file: string) =>
      `Attempting to ${cmd} file ${JSON.stringify(file)} that is excluded by .dockerignore`,
  ),
  InvalidDefinitionDescription: rule(
    {
      name: 'InvalidDefinitionDescription',
      description:
        'Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment.',
      url: doc('invalid-definition-description'),
      since: 11,
      experimental: true,
    },
    (instruction: string, name: string) =>
      `Comment for ${instruction} should follow the format: \`# ${name} <description>\``,
  ),
  ExposeProtoCasing: rule(
    {
      name: 'ExposeProtoCasing',
      description: 'Protocol in EXPOSE instruction should be lowercase',
      url: doc('expose-proto-casing'),
      since: 18,
    },
    (port: string) => `Defined protocol '${port}' in EXPOSE instruction should be lowercase`,
  ),
  ExposeInvalidFormat: rule(
    {
      name: 'ExposeInvalidFormat',
      description:
        'IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release',
      url: doc('expose-invalid-format'),
      since: 18,
    },
    (port: string) =>
      `EXPOSE instruction should not define an IP address or host-port mapping, found '${port}'`,
  ),
} as const;

export type RuleName = keyof typeof RULES;

/** Every rule, in BuildKit's order. */
export const ALL_RULES: readonly CheckRule[] = Object.values(RULES);
