import { useEffect } from 'preact/hooks';
import { getMe } from './data';
import { t } from './lib/i18n';
import { applyUpdate, dismissUpdate, usePwa } from './pwa';
import { Fly } from './screens/fly';
import { Home } from './screens/home';
import { Login } from './screens/login';
import { Outbox } from './screens/outbox';
import { Settings } from './screens/settings';
import { Brief, CheckIn } from './screens/visit';
import { Expect, Review, Walk } from './screens/walk';
import { useLive, useRoute, useSync } from './state';
import { Toasts } from './ui';

function UpdatePrompt() {
  const { needRefresh, offlineReady } = usePwa();
  if (!needRefresh && !offlineReady) return null;
  return (
    <div class="update" role="alertdialog" aria-live="assertive" aria-label={needRefresh ? t('app.update') : t('app.offlineReady')}>
      {needRefresh ? (
        <>
          <p>
            {t('app.update')} {t('app.update.safe')}
          </p>
          <div class="row">
            <button type="button" class="btn primary" id="apply-update" onClick={applyUpdate}>
              {t('app.update.now')}
            </button>
            <button type="button" class="btn" onClick={dismissUpdate}>
              {t('app.update.later')}
            </button>
          </div>
        </>
      ) : (
        <div class="row">
          <p>{t('app.offlineReady')}</p>
          <button type="button" class="btn small" onClick={dismissUpdate}>
            {t('app.close')}
          </button>
        </div>
      )}
    </div>
  );
}

function Screen() {
  const route = useRoute();
  const me = useLive(getMe, []);
  const sync = useSync();
  useEffect(() => {
    document.getElementById('app')?.setAttribute('data-ready', '1');
  }, [me !== undefined]);
  if (me === undefined) return <main class="screen" aria-busy="true" />;
  const [a, b, c, d] = route;
  if (!me || a === 'login') return <Login expired={!!me && sync.authNeeded} />;
  if (a === 'visits' && b && c === 'checkin') return <CheckIn id={Number(b)} />;
  if (a === 'visits' && b) return <Brief id={Number(b)} />;
  if (a === 'audits' && b && c === 'walk') return <Walk id={b} index={Number(d ?? 0)} />;
  if (a === 'audits' && b && c === 'review') return <Review id={b} />;
  if (a === 'audits' && b && c === 'expect') return <Expect id={b} />;
  if (a === 'fly') return <Fly />;
  if (a === 'outbox') return <Outbox />;
  if (a === 'settings') return <Settings />;
  return <Home />;
}

export function App() {
  return (
    <>
      <Screen />
      <UpdatePrompt />
      <Toasts />
    </>
  );
}
