import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

// The app is served by Django at /app/ (index.html for every app route, sw.js with no-cache).
// Routing is by hash (#/visits/12), so the server only ever serves /app/ and /app/index.html.
// The consultant's console is a second entry (console.html, served by Django at /console/): its own code goes
// to dist/console/ (never in the phone's precache, never counted in its shell); only what both share (Preact,
// the API client) lands in dist/assets/.
const CONSOLE_SRC = '/src/console/';
const CONSOLE_VENDOR = /node_modules\/(preact-iso|@tanstack)\//;
const isConsole = (chunk: { name: string; moduleIds: readonly string[] }) =>
  chunk.name.startsWith('console') || chunk.moduleIds.some((id) => id.includes(CONSOLE_SRC));
export default defineConfig({
  base: '/app/',
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { index: 'index.html', console: 'console.html' },
      output: {
        entryFileNames: (chunk) => (isConsole(chunk) ? 'console/[name]-[hash].js' : 'assets/[name]-[hash].js'),
        chunkFileNames: (chunk) => (isConsole(chunk) ? 'console/[name]-[hash].js' : 'assets/[name]-[hash].js'),
        assetFileNames: (asset) =>
          (asset.names ?? []).some((n) => n.startsWith('console')) ? 'console/[name]-[hash][extname]' : 'assets/[name]-[hash][extname]',
        advancedChunks: { groups: [{ name: 'console-vendor', test: CONSOLE_VENDOR }] },
      },
    },
  },
  server: {
    // `npm run dev` proxies the API to a local Django (make run).
    proxy: { '/api': 'http://127.0.0.1:8000' },
  },
  plugins: [
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      registerType: 'prompt',
      injectRegister: false,
      scope: '/app/',
      base: '/app/',
      manifestFilename: 'manifest.webmanifest',
      includeAssets: ['icon.svg', 'apple-touch-icon.png'],
      manifest: {
        id: '/app/',
        name: 'Touchpoint',
        short_name: 'Touchpoint',
        description: 'Walk a customer journey, score it, photograph it, and sync it — offline first.',
        start_url: '/app/',
        scope: '/app/',
        display: 'standalone',
        orientation: 'portrait',
        theme_color: '#0b4f6c',
        background_color: '#ffffff',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,png,svg,webmanifest}'],
        globIgnores: ['console.html', 'console/**'],
      },
      devOptions: { enabled: false },
    }),
    {
      // the console is not the installable phone app: no web-app manifest in its page
      name: 'console-without-manifest',
      enforce: 'post',
      transformIndexHtml: { order: 'post', handler: (html, ctx) => (ctx.filename.endsWith('console.html') ? html.replace(/\s*<link rel="manifest"[^>]*>/, '') : html) },
    },
  ],
});
