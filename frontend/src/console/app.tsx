// The shell: sign-in, the organization and role, navigation by role, the router with one lazy chunk a screen.
import { QueryClientProvider, useQueryClient } from '@tanstack/preact-query';
import { ErrorBoundary, lazy, LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { api, canManage, queryClient, seats, useMe, type Seat } from './data';
import { initialLocale, setLocale, t, useLocale } from './i18n';
import { Login } from './screens/login';
import { SessionContext } from './session';
import { LanguagePicker, Loading, NotFound, Page } from './ui';

const Home = lazy(() => import('./screens/home').then((m) => m.Home));
const Queue = lazy(() => import('./screens/queue').then((m) => m.Queue));
const Walk = lazy(() => import('./screens/walk').then((m) => m.Walk));
const Journeys = lazy(() => import('./screens/journeys').then((m) => m.Journeys));
const JourneyCanvas = lazy(() => import('./screens/canvas').then((m) => m.JourneyCanvas));
const Fieldwork = lazy(() => import('./screens/fieldwork').then((m) => m.Fieldwork));
const Reports = lazy(() => import('./screens/reports').then((m) => m.Reports));

const SEAT_KEY = 'touchpoint.console.organization';

export function App() {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    setLocale(initialLocale(), false).finally(() => setReady(true));
  }, []);
  if (!ready) return null;
  return (
    <QueryClientProvider client={queryClient}>
      <LocationProvider scope="/console">
        <Shell />
      </LocationProvider>
    </QueryClientProvider>
  );
}

function Shell() {
  useLocale();
  const me = useMe();
  const client = useQueryClient();
  const [chosen, setChosen] = useState<number | null>(() => Number(localStorage.getItem(SEAT_KEY)) || null);
  const all = useMemo(() => (me.data ? seats(me.data) : []), [me.data]);
  const seat: Seat | null = all.find((s) => s.organization === chosen) ?? all[0] ?? null;

  if (me.isPending) return <div class="boot"><Loading /></div>;
  if (me.isError || !me.data) return <Login onSignedIn={() => client.invalidateQueries({ queryKey: ['me'] })} />;
  if (!seat) {
    return (
      <main id="main" class="boot">
        <Page title={t('noSeat.title')}>
          <p>{t('noSeat.body')}</p>
          <p><a href="/app/">{t('noSeat.app')}</a></p>
          <SignOut />
        </Page>
      </main>
    );
  }
  const setSeat = (organization: number) => {
    localStorage.setItem(SEAT_KEY, String(organization));
    setChosen(organization);
    client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
  };
  const manager = canManage(seat);
  return (
    <SessionContext.Provider value={{ me: me.data, seat, seats: all, setSeat }}>
      <a class="skip" href="#main">{t('nav.skip')}</a>
      <div class="layout">
        <Nav seat={seat} manager={manager} />
        <main id="main" class="main" tabIndex={-1}>
          <ErrorBoundary>
            <Router onRouteChange={focusTitle}>
              {manager
                ? [
                    <Route key="h" path="/console/" component={Home} />,
                    <Route key="q" path="/console/review" component={Queue} />,
                    <Route key="w" path="/console/review/:id" component={Walk} />,
                    <Route key="j" path="/console/journeys" component={Journeys} />,
                    <Route key="c" path="/console/journeys/:id" component={JourneyCanvas} />,
                    <Route key="f" path="/console/fieldwork" component={Fieldwork} />,
                  ]
                : [<Route key="r" path="/console/" component={Reports} />]}
              <Route path="/console/reports" component={Reports} />
              <Route default component={NotFound} />
            </Router>
          </ErrorBoundary>
        </main>
      </div>
    </SessionContext.Provider>
  );
}

function focusTitle() {
  // a new screen: its title takes the focus, so a keyboard or screen-reader user starts at the top of it
  requestAnimationFrame(() => document.getElementById('page-title')?.focus({ preventScroll: true }));
}

function Nav({ seat, manager }: { seat: Seat; manager: boolean }) {
  const { path } = useLocation();
  const links: [string, string][] = manager
    ? [['/console/', t('nav.home')], ['/console/review', t('nav.review')], ['/console/journeys', t('nav.journeys')],
       ['/console/fieldwork', t('nav.fieldwork')], ['/console/reports', t('nav.reports')]]
    : [['/console/', t('nav.reports')]];
  const current = (href: string) => (href === '/console/' ? path === '/console/' || path === '/console' : path.startsWith(href));
  return (
    <header class="side">
      <a class="brand" href="/console/">{t('app.name')}</a>
      <nav aria-label={t('nav.label')}>
        <ul>
          {links.map(([href, label]) => (
            <li key={href}><a href={href} aria-current={current(href) ? 'page' : undefined}>{label}</a></li>
          ))}
        </ul>
      </nav>
      <div class="side-foot">
        <SeatPicker seat={seat} />
        <p class="muted small">{t(`role.${seat.role}` as 'role.owner')}</p>
        <LanguagePicker />
        <SignOut />
      </div>
    </header>
  );
}

function SeatPicker({ seat }: { seat: Seat }) {
  const { seats: all, setSeat } = useSessionSafe();
  if (all.length < 2) return <p class="org">{seat.name}</p>;
  return (
    <label class="stack">
      <span class="small">{t('nav.organization')}</span>
      <select value={seat.organization} onChange={(e) => setSeat(Number((e.target as HTMLSelectElement).value))}>
        {all.map((s) => <option key={s.organization} value={s.organization}>{s.name}</option>)}
      </select>
    </label>
  );
}

function useSessionSafe() {
  return useContext(SessionContext)!;
}

function SignOut() {
  const client = useQueryClient();
  return (
    <button type="button" class="link" onClick={async () => {
      await api.logout().catch(() => null);
      client.clear();
      location.assign('/console/');
    }}>{t('nav.signOut')}</button>
  );
}
