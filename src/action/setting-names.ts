/**
 * The settings of library hints (hints.ts) named as the action's inputs:
 * `cache_registry`, `isolation: rootless`; a setting with no input of its
 * own is named by its kaniko flag in `extra_args`.
 */
import { cliSettingName } from '../flags/executor-flags.js';
import type { Setting } from '../hints.js';

export function actionSettingName(s: Setting, value: string | undefined): string {
  switch (s) {
    case 'credentials':
      return 'the username and password inputs, or a docker/login-action step before this one';
    case 'dockerfile':
      return 'build_file (or file)';
    case 'context':
      return 'path (or context)';
    case 'destination':
      return 'image or tags';
    case 'cache':
      return 'cache: true';
    case 'cache-repo':
      return 'cache_registry';
    case 'cache-dir':
      return 'cache_directory';
    case 'isolation':
      return value ? `isolation: ${value}` : 'isolation';
    case 'platform':
      return value ? `platforms: ${value}` : 'platforms';
    case 'insecure-registry':
    case 'skip-tls-verify-registry':
    case 'registry-certificate':
    case 'snapshot-mode':
    case 'compression':
      return `extra_args: ${cliSettingName(s, value)}`;
    default: {
      const never: never = s;
      return String(never);
    }
  }
}
