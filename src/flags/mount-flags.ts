/**
 * `--secret`, `--ssh` and `--allow` with buildx's syntax:
 *
 *   --secret id=ID[,src=PATH|,source=PATH|,env=VAR][,type=file|env]
 *            (neither src nor env: the variable ID when it is set, else the file ID)
 *   --ssh    default|ID[=SOCKET|KEY[,KEY…]]   (no value: $SSH_AUTH_SOCK)
 *   --allow  security.insecure | network.host
 */
import { csvFields } from '../csv-record.js';
import { ENTITLEMENTS, type Entitlement, type SecretSource, type SshSource } from '../executor/options.js';
import { UsageError } from './parser.js';

export function parseSecretFlag(value: string, env: NodeJS.ProcessEnv): SecretSource {
  let id = '';
  let file: string | undefined;
  let envName: string | undefined;
  let type: 'file' | 'env' | undefined;
  let fields: string[];
  try {
    fields = csvFields(value);
  } catch (e) {
    throw new UsageError(`--secret "${value}": ${(e as Error).message}`);
  }
  for (const field of fields) {
    const eq = field.indexOf('=');
    if (eq < 0)
      throw new UsageError(`--secret "${value}": invalid field '${field}' must be a key=value pair`);
    const key = field.slice(0, eq).toLowerCase();
    const v = field.slice(eq + 1);
    switch (key) {
      case 'type':
        if (v !== 'file' && v !== 'env')
          throw new UsageError(`--secret "${value}": unsupported secret type "${v}" (file or env)`);
        type = v;
        break;
      case 'id':
        id = v;
        break;
      case 'src':
      case 'source':
        file = v;
        break;
      case 'env':
        envName = v;
        break;
      default:
        throw new UsageError(`--secret "${value}": unexpected key '${key}' (id, src, env, type)`);
    }
  }
  if (type === 'env' && envName === undefined) {
    envName = file;
    file = undefined;
  }
  if (!id) throw new UsageError(`--secret "${value}": the secret needs an id (id=NAME)`);
  if (file !== undefined && envName !== undefined)
    throw new UsageError(`--secret "${value}": give src= or env=, not both`);
  if (file === undefined && envName === undefined) {
    if (env[id] !== undefined) envName = id;
    else file = id;
  }
  return envName !== undefined ? { id, env: envName } : { id, file: file! };
}

export function parseSshFlag(value: string): SshSource {
  const eq = value.indexOf('=');
  const id = eq < 0 ? value : value.slice(0, eq);
  if (!id || /[,\s]/.test(id))
    throw new UsageError(`--ssh "${value}": expected default|ID[=SOCKET|KEY[,KEY…]]`);
  const paths =
    eq < 0
      ? []
      : value
          .slice(eq + 1)
          .split(',')
          .filter((p) => p !== '');
  return { id, paths };
}

export function parseAllowFlag(value: string): Entitlement[] {
  return value.split(',').map((v) => {
    const t = v.trim();
    if (!(ENTITLEMENTS as readonly string[]).includes(t))
      throw new UsageError(`--allow "${t}": expected one of ${ENTITLEMENTS.join(', ')}`);
    return t as Entitlement;
  });
}
