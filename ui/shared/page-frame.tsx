import type { ComponentChildren } from 'preact';
import { useModel } from '@preact/signals';
import { PRODUCT_NAME } from './product.ts';
import { endSession } from './session.ts';
import { SignOutModel } from './sign-out-model.ts';

interface PageFrameProps {
  title: string;
  children?: ComponentChildren;
}

const createSignOut = () => new SignOutModel({ endSession, navigate: (path) => window.location.assign(path) });

/** The header every signed-in page shares, and the main region its content goes into. */
export function PageFrame({ title, children }: PageFrameProps) {
  const signOut = useModel(createSignOut);
  const failure = signOut.error.value;

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="page-header">
        <div class="page-identity">
          <p class="product-name">{PRODUCT_NAME}</p>
          <h1>{title}</h1>
        </div>
        <div class="page-actions">
          <button
            type="button"
            class="button"
            aria-disabled={signOut.pending.value}
            onClick={() => void signOut.signOut()}
          >
            {signOut.pending.value ? 'Signing out…' : 'Sign out'}
          </button>
        </div>
      </header>
      <div role="alert" class={failure ? 'notice notice-error page-alert' : 'visually-hidden'}>
        {failure ? `Could not sign out: ${failure.message}` : ''}
      </div>
      <main id="main" class="page-main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
