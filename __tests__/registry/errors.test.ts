import { describe, expect, test } from '@jest/globals';
import { actionSettingName } from '../../src/action/setting-names.js';
import { cliSettingName } from '../../src/flags/executor-flags.js';
import { renderSettings } from '../../src/hints.js';
import { displayUrl, parseErrorCodes, RegistryError } from '../../src/registry/errors.js';

describe('RegistryError', () => {
  test('names registry, repository, operation, method, URL (no query), status and codes', () => {
    const e = new RegistryError({
      registry: 'registry.example',
      repository: 'team/app',
      operation: 'push manifest tag v1',
      failure: 'status',
      method: 'PUT',
      url: 'https://registry.example/v2/team/app/manifests/v1?_state=secret',
      status: 400,
      codes: parseErrorCodes(
        '{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid","detail":{}}]}',
      ),
    });
    expect(e.message).toContain('push manifest tag v1 (registry.example/team/app) failed');
    expect(e.message).toContain('PUT https://registry.example/v2/team/app/manifests/v1?… → 400');
    expect(e.message).toContain('MANIFEST_INVALID: manifest invalid');
    expect(e.message).not.toContain('secret');
    expect(e.hasCode('MANIFEST_INVALID')).toBe(true);
  });

  test('ghcr.io 403 says how to fix the workflow permissions', () => {
    const e = new RegistryError({
      registry: 'ghcr.io',
      repository: 'owner/app',
      operation: 'push manifest',
      failure: 'status',
      method: 'PUT',
      url: 'https://ghcr.io/v2/owner/app/manifests/latest',
      status: 403,
      codes: parseErrorCodes('{"errors":[{"code":"DENIED","message":"permission_denied: write_package"}]}'),
    });
    expect(e.message).toContain('DENIED: permission_denied: write_package');
    expect(e.message).toContain('permissions: packages: write');
    expect(e.message).toMatch(/package settings/);
  });

  test('other hints: 401 credentials, 403 elsewhere, 404, 429, network/TLS', () => {
    const mk = (status: number | undefined, failure: 'status' | 'network' = 'status', detail?: string) =>
      new RegistryError({ registry: 'r.example', operation: 'op', failure, status, detail }).message;
    expect(mk(401)).toMatch(/Check the credentials for r\.example/);
    expect(mk(403)).toMatch(/lack permission/);
    expect(mk(403)).not.toMatch(/packages: write/);
    expect(mk(404)).toMatch(/Check the image name/);
    expect(mk(429)).toMatch(/rate limiting/);
    expect(mk(undefined, 'network', 'self-signed certificate')).toMatch(
      /\{\{registry-certificate r\.example=ca\.pem\}\}/,
    );
    expect(mk(undefined, 'network', 'connect ECONNREFUSED')).toMatch(/\{\{insecure-registry r\.example\}\}/);
  });

  test('hints name settings by code: the CLI reads them as flags, the action as inputs', () => {
    const e = new RegistryError({
      registry: 'r.example',
      operation: 'op',
      failure: 'network',
      detail: 'self-signed certificate',
    });
    expect(e.settings).toEqual(['registry-certificate', 'skip-tls-verify-registry', 'insecure-registry']);
    expect(e.message).not.toMatch(/ --[a-z]/);
    const cli = renderSettings(e.message, cliSettingName);
    expect(cli).toContain(
      'pass its CA with --registry-certificate r.example=ca.pem, or use --skip-tls-verify-registry r.example (or --insecure-registry r.example for plain HTTP)',
    );
    const action = renderSettings(e.message, actionSettingName);
    expect(action).toContain('pass its CA with extra_args: --registry-certificate r.example=ca.pem');
    const unauthorized = new RegistryError({
      registry: 'r.example',
      operation: 'op',
      failure: 'status',
      status: 401,
    });
    expect(unauthorized.settings).toEqual(['credentials']);
    expect(renderSettings(unauthorized.message, actionSettingName)).toContain(
      'the username and password inputs',
    );
    expect(renderSettings(unauthorized.message, cliSettingName)).toContain('docker login');
  });

  test('a body length mismatch or a connection broken mid-transfer is not blamed on DNS or a proxy', () => {
    const net = (detail: string) =>
      new RegistryError({ registry: 'r.example', operation: 'upload blob', failure: 'network', detail })
        .message;
    const sent = net(
      'fetch failed: Request body length does not match content-length header (UND_ERR_REQ_CONTENT_LENGTH_MISMATCH)',
    );
    expect(sent).not.toMatch(/DNS|proxy, firewall|reachable/);
    expect(sent).toMatch(/content sent is not as long as its size says/);
    const received = net(
      'Response body length does not match content-length header (UND_ERR_RES_CONTENT_LENGTH_MISMATCH)',
    );
    expect(received).not.toMatch(/DNS|reachable/);
    expect(received).toMatch(/shorter body than its Content-Length/);
    for (const d of [
      'other side closed (UND_ERR_SOCKET)',
      'read ECONNRESET',
      'Body Timeout Error (UND_ERR_BODY_TIMEOUT)',
    ]) {
      expect(net(d)).not.toMatch(/DNS|reachable/);
      expect(net(d)).toMatch(/broke off/);
    }
    expect(net('getaddrinfo ENOTFOUND r.example')).toMatch(/reachable from here \(DNS, proxy, firewall\)/);
  });

  test('an upload session the registry dropped is not a wrong image name', () => {
    const e = new RegistryError({
      registry: 'r.example',
      operation: 'upload blob',
      failure: 'status',
      status: 404,
      codes: [{ code: 'BLOB_UPLOAD_INVALID' }],
    });
    expect(e.message).not.toMatch(/image name/);
    expect(e.message).toMatch(/upload session/);
  });

  test('with() keeps context and adds detail', () => {
    const e = new RegistryError({
      registry: 'r',
      repository: 'a',
      operation: 'op',
      failure: 'network',
      detail: 'reset',
    });
    const f = e.with({ detail: 'reset; gave up after 3 attempts' });
    expect(f.repository).toBe('a');
    expect(f.message).toContain('gave up after 3 attempts');
    expect(f.cause).toBe(e);
  });

  test('error bodies that are not JSON give no codes; displayUrl', () => {
    expect(parseErrorCodes('<html>')).toEqual([]);
    expect(parseErrorCodes('{"errors":"x"}')).toEqual([]);
    expect(displayUrl('http://h/v2/x')).toBe('http://h/v2/x');
  });
});
