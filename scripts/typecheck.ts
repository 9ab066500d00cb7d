// One tsconfig per runtime: the Worker (workerd), the browser (ui), Node tooling, and the
// workerd tests. All must type-check strictly.
import { spawnSync } from 'node:child_process';

const projects = ['tsconfig.json', 'ui/tsconfig.json', 'tsconfig.node.json', 'tests/tsconfig.json'];
let failed = 0;
for (const project of projects) {
  const result = spawnSync('npx', ['tsc', '--noEmit', '-p', project], { stdio: 'inherit' });
  console.log(`tsc -p ${project}: ${result.status === 0 ? 'ok' : 'errors'}`);
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
