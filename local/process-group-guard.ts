// Run as a process: `node process-group-guard.ts <command> [args...]`, started as the leader of a
// new process group. It runs the command inside that group and ends the whole group when its own
// stdin closes, which happens when the process that started it exits however it exits (even by
// SIGKILL), so a crashed `npm start` or test run leaves no wrangler or workerd behind.
import { spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: process-group-guard.ts <command> [args...]');
  process.exit(2);
}

const endGroup = (): void => {
  process.kill(0, 'SIGKILL');
};

const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
child.once('error', (error) => {
  console.error(`Could not start ${command}: ${error.message}`);
  endGroup();
});
// The command's helpers (workerd) must not outlive it either.
child.once('exit', (code, signal) => {
  console.error(`[process-group-guard] the guarded command exited (${signal ?? `code ${code}`}); ending its process group`);
  endGroup();
});

process.stdin.once('close', endGroup);
process.stdin.resume();
