// Whose dashboard this is: the customer's own session, or an operator's read-only view of it.
import { computed, createModel, effect, signal, untracked } from '@preact/signals';
import type { ApiResult } from '../shared/api.ts';
import type { SessionInfo } from '../shared/session.ts';

export interface SessionDeps {
  session: () => Promise<ApiResult<SessionInfo>>;
}

export const SessionModel = createModel((deps: SessionDeps) => {
  const info = signal<SessionInfo | null>(null);

  effect(() => {
    untracked(() => {
      void deps.session().then((answer) => {
        if (answer.ok) info.value = answer.data;
      });
    });
  });

  return {
    info,
    /** Set when support is looking: the customer shown and the operator who opened the view. */
    viewing: computed(() => {
      const session = info.value;
      return session?.read_only && session.acting_operator && session.customer_id
        ? { customer: session.customer_id, operator: session.acting_operator, until: session.expires_at }
        : null;
    }),
  };
});

export type Session = InstanceType<typeof SessionModel>;
