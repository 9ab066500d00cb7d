// Browser tests exercise the pages as the Worker serves them: from a fresh vite build in dist/ui.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export default async function buildUi(): Promise<void> {
  await build({ configFile: fileURLToPath(new URL('../../ui/vite.config.ts', import.meta.url)), logLevel: 'warn' });
}
