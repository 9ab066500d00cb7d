import { render } from 'preact';
import { useRef } from 'preact/hooks';
import { PRODUCT_NAME } from '../shared/product.ts';
import { createSession } from '../shared/session.ts';
import { LoginModel } from './model.ts';

type Login = InstanceType<typeof LoginModel>;

function LoginPage({ model }: { model: Login }) {
  const tokenInput = useRef<HTMLInputElement>(null);
  const problem = model.problem.value;
  const submitting = model.submitting.value;

  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    await model.submit();
    // Back to the field, so the next paste replaces what was refused.
    if (model.problem.value) tokenInput.current?.select();
  };

  return (
    <main id="main" class="card-page">
      <div class="card">
        <p class="product-name">{PRODUCT_NAME}</p>
        <h1>Sign in</h1>
        {model.signedOut.value && (
          <div class="notice" role="status">
            <p>Signed out. Paste a token to sign in again.</p>
          </div>
        )}
        <div role="alert" id="login-problem">
          {problem && (
            <div class="notice notice-error">
              <p>{problem.message}</p>
              {problem.details.length > 0 && (
                <ul>
                  {problem.details.map((detail) => (
                    <li key={detail.path + detail.message}>{detail.path ? `${detail.path}: ${detail.message}` : detail.message}</li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </div>
        <form onSubmit={onSubmit} noValidate>
          <div class="field">
            <label for="token">Access token</label>
            <input
              ref={tokenInput}
              id="token"
              name="token"
              class="input"
              type="password"
              autoComplete="off"
              spellcheck={false}
              autoFocus
              aria-invalid={problem ? 'true' : undefined}
              aria-describedby={problem ? 'token-hint login-problem' : 'token-hint'}
              value={model.token.value}
              onInput={(event) => model.setToken(event.currentTarget.value)}
            />
            <p id="token-hint" class="field-hint">
              Run <code>npm run token -- operator</code> on a local install, or ask your operator for one.
            </p>
          </div>
          <button type="submit" class="button button-primary" aria-disabled={submitting}>
            {submitting ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}

const model = new LoginModel({
  search: window.location.search,
  origin: window.location.origin,
  createSession,
  navigate: (path) => window.location.assign(path),
});

const root = document.getElementById('app');
if (root) render(<LoginPage model={model} />, root);
