import { useModel } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { formatDateTime } from '../../shared/format.ts';
import { NewestFirstTable } from '../newest-first-table.tsx';
import { auditApi, type AuditFilters, type AuditRecord } from './audit-api.ts';
import { AuditModel, noAuditFilters, type Audit } from './model.ts';

const textFilters = [
  ['actor', 'Who', 'ops@example.com'],
  ['action', 'Action', 'token.revoke'],
  ['subject_type', 'Subject type', 'customer'],
  ['subject_id', 'Subject id', ''],
] as const;

/** A `datetime-local` value is the browser's local time; the API takes UTC. */
function localInputToIso(value: string): string {
  if (value === '') return '';
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? value : time.toISOString();
}

export function AuditPage() {
  const model = useModel(() => new AuditModel({ api: auditApi }));
  useEffect(() => {
    void model.search(noAuditFilters);
  }, [model]);
  return (
    <>
      <FilterForm model={model} />
      <Entries model={model} />
    </>
  );
}

function FilterForm({ model }: { model: Audit }) {
  const errors = model.fieldErrors.value;
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: keyof AuditFilters) => String(data.get(name) ?? '').trim();
    void model.search({
      actor: text('actor'),
      action: text('action'),
      subject_type: text('subject_type'),
      subject_id: text('subject_id'),
      from: localInputToIso(text('from')),
      to: localInputToIso(text('to')),
    });
  };
  return (
    <form class="filter-form" onSubmit={onSubmit} aria-label="Audit filters">
      <div class="filter-grid">
        {textFilters.map(([name, label, placeholder]) => (
          <div class="field" key={name}>
            <label for={`audit-${name}`}>{label}</label>
            <input id={`audit-${name}`} name={name} class="input" autoComplete="off" spellcheck={false} placeholder={placeholder} aria-invalid={errors[name] ? 'true' : undefined} />
            {errors[name] && <p class="field-error">{errors[name]}</p>}
          </div>
        ))}
        {(['from', 'to'] as const).map((name) => (
          <div class="field" key={name}>
            <label for={`audit-${name}`}>{name === 'from' ? 'From (local time)' : 'To (local time)'}</label>
            <input id={`audit-${name}`} name={name} type="datetime-local" step={1} class="input" aria-invalid={errors[name] ? 'true' : undefined} />
            {errors[name] && <p class="field-error">{errors[name]}</p>}
          </div>
        ))}
      </div>
      <div class="form-actions">
        <button type="submit" class="button button-primary">
          Search
        </button>
        <button type="reset" class="button" onClick={() => void model.search(noAuditFilters)}>
          Clear
        </button>
      </div>
    </form>
  );
}

function Change({ entry }: { entry: AuditRecord }) {
  if (entry.before === null && entry.after === null) return <span class="muted">—</span>;
  return (
    <details>
      <summary>{entry.before === null ? 'Details' : 'Before and after'}</summary>
      {entry.before !== null && (
        <>
          <p class="muted">Before</p>
          <pre>{JSON.stringify(entry.before, null, 2)}</pre>
        </>
      )}
      {entry.after !== null && (
        <>
          <p class="muted">{entry.before === null ? 'Recorded' : 'After'}</p>
          <pre>{JSON.stringify(entry.after, null, 2)}</pre>
        </>
      )}
    </details>
  );
}

function Entries({ model }: { model: Audit }) {
  const entries = model.entries.value;
  const error = model.error.value;
  return (
    <section class="ops-section" aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit log</h2>
      <div role="status" class="results-status">
        {model.loading.value ? 'Loading entries…' : `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}${model.hasMore.value ? ', older ones below' : ''}.`}
      </div>
      {error && error.details.length === 0 && (
        <div class="notice notice-error" role="alert">
          <p>{error.message}</p>
        </div>
      )}
      {entries.length > 0 && (
        <NewestFirstTable label="Audit entries" noun="entries" list={model} columns={['When', 'Who', 'Action', 'Subject', 'Change']}>
          {entries.map((entry) => (
            <tr key={entry.id}>
              <th scope="row">{formatDateTime(entry.at, 'local')}</th>
              <td>{entry.actor}</td>
              <td>
                <code style={{ whiteSpace: 'nowrap' }}>{entry.action}</code>
              </td>
              <td>
                {entry.subject_type} <span class="muted">{entry.subject_id}</span>
              </td>
              <td>
                <Change entry={entry} />
              </td>
            </tr>
          ))}
        </NewestFirstTable>
      )}
    </section>
  );
}
