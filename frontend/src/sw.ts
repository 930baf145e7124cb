/// <reference lib="webworker" />
// The service worker (served from /app/sw.js, scope /app/): precaches the app shell so the app
// opens offline, answers every /app/ navigation with index.html, and on Background Sync (Chromium)
// sends the outbox itself: the page is told to do it if one is open, else the worker does.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { Api } from './lib/api';
import { flush } from './lib/outbox';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: any };

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/app/index.html'), {
    allowlist: [/^\/app(\/|$)/],
    denylist: [/^\/app\/sw\.js/, /\.\w+$/],
  }),
);

// registerType 'prompt': wait until the page says so.
self.addEventListener('message', (event) => {
  if (event.data?.type === 'SKIP_WAITING') void self.skipWaiting();
});

self.addEventListener('sync', (event: any) => {
  if (event.tag !== 'touchpoint-outbox') return;
  event.waitUntil(
    (async () => {
      const clients = await self.clients.matchAll({ type: 'window' });
      if (clients.length) {
        clients.forEach((c) => c.postMessage({ type: 'flush' }));
        return;
      }
      const result = await flush({ api: new Api((input, init) => fetch(input, init)), force: true });
      // keep the browser retrying later if something is still waiting (and not needing a person)
      if (result.pending > result.attention && (result.offline || result.failures)) throw new Error('outbox not empty');
    })(),
  );
});
