// The frame of a list read newest first, as the logins and audit pages show theirs: the table in
// a scroll region keyboards can reach, and below it a button that fetches older rows while the
// server says there are more.
import type { ReadonlySignal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { TableScroll } from './scroll-region.tsx';

/** What the frame reads of a list's model. */
export interface OlderRows {
  hasMore: ReadonlySignal<boolean>;
  loading: ReadonlySignal<boolean>;
  loadMore(): Promise<void>;
}

/**
 * `label` names the scroll region ("Logins"), `noun` is what the rows are, plural ("logins"),
 * `columns` the headers and `children` the rows.
 */
export function NewestFirstTable({ label, noun, list, columns, children }: { label: string; noun: string; list: OlderRows; columns: readonly string[]; children: ComponentChildren }) {
  return (
    <>
      <TableScroll label={label}>
        <table class="data-table">
          <thead>
            <tr>
              {columns.map((column) => (
                <th scope="col" key={column}>
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{children}</tbody>
        </table>
      </TableScroll>
      {list.hasMore.value && (
        <nav class="pager" aria-label={`More ${noun}`}>
          <button type="button" class="button" disabled={list.loading.value} onClick={() => void list.loadMore()}>
            Show older {noun}
          </button>
        </nav>
      )}
    </>
  );
}
