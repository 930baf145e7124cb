import { useState } from 'preact/hooks';
import { api, ApiError } from '../data';
import { t } from '../i18n';
import { LanguagePicker } from '../ui';

export function Login({ onSignedIn }: { onSignedIn: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.login(email.trim(), password);
      onSignedIn();
    } catch (err) {
      setError(err instanceof ApiError && err.isNetwork ? t('error.network') : err instanceof ApiError && err.status < 500 ? t('login.failed') : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="login">
      <form class="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <p class="brand">{t('app.name')}</p>
        <h1 id="login-title">{t('login.title')}</h1>
        <p class="muted">{t('login.hint')}</p>
        <label class="stack">
          <span>{t('login.email')}</span>
          <input id="email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        </label>
        <label class="stack">
          <span>{t('login.password')}</span>
          <input id="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? t('login.busy') : t('login.submit')}</button>
        <LanguagePicker />
      </form>
    </main>
  );
}
