// Prints each page's JavaScript as the browser downloads it (its entry plus every chunk the HTML
// preloads), raw and gzipped, and fails when a page is over its budget. Run after `npm run build:ui`.
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { budgetGzipLevel, pageBudgets } from '../ui/budgets.ts';

const distDir = fileURLToPath(new URL('../dist/ui/', import.meta.url));
const budgets: Record<string, number | undefined> = pageBudgets;

interface PageSize {
  page: string;
  files: string[];
  rawBytes: number;
  gzipBytes: number;
  budgetBytes: number | undefined;
}

async function measurePages(dir: string): Promise<PageSize[]> {
  const pages = (await readdir(dir)).filter((name) => name.endsWith('.html')).sort();
  const sizes: PageSize[] = [];
  for (const html of pages) {
    const page = html.replace(/\.html$/, '');
    const markup = await readFile(dir + html, 'utf8');
    const files = [...markup.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((match) => match[1] ?? '');
    let rawBytes = 0;
    let gzipBytes = 0;
    for (const file of files) {
      const source = await readFile(dir + file);
      rawBytes += source.length;
      gzipBytes += gzipSync(source, { level: budgetGzipLevel }).length;
    }
    sizes.push({ page, files, rawBytes, gzipBytes, budgetBytes: budgets[page] });
  }
  return sizes;
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
let over = 0;
for (const size of await measurePages(distDir)) {
  const verdict = size.budgetBytes === undefined ? 'no budget' : size.gzipBytes <= size.budgetBytes ? `within ${kb(size.budgetBytes)}` : `OVER ${kb(size.budgetBytes)}`;
  if (size.budgetBytes !== undefined && size.gzipBytes > size.budgetBytes) over++;
  console.log(`/${size.page.padEnd(10)} ${kb(size.rawBytes).padStart(10)} raw ${kb(size.gzipBytes).padStart(10)} gzip  ${verdict}  (${size.files.join(', ')})`);
}
process.exit(over === 0 ? 0 : 1);
