// A one-line explanation one hover or one Tab away. The text is always in the document and
// describes its button, so screen readers read it on focus; sighted readers see it while the
// button is hovered or focused, and Escape hides it again without moving focus.
import { useSignal } from '@preact/signals';

interface InfoTipProps {
  id: string;
  /** What the explanation is about, for the button's name ("About Error rate"). */
  subject: string;
  text: string;
}

export function InfoTip({ id, subject, text }: InfoTipProps) {
  const dismissed = useSignal(false);
  return (
    <span class={dismissed.value ? 'tip tip-dismissed' : 'tip'} onMouseLeave={() => (dismissed.value = false)}>
      <button
        type="button"
        class="tip-button"
        aria-label={`About ${subject}`}
        aria-describedby={id}
        onKeyDown={(event) => {
          if (event.key === 'Escape') dismissed.value = true;
        }}
        onBlur={() => (dismissed.value = false)}
      >
        ?
      </button>
      <span role="tooltip" id={id} class="tip-text">
        {text}
      </span>
    </span>
  );
}
