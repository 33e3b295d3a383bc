// The Electron host: lifecycle, the window, security, the media scheme and the
// IPC binding. Everything else lives in plain-Node services (main/services.ts).
import { app, BrowserWindow, dialog, ipcMain, powerSaveBlocker, protocol, screen, session, type WebContents } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { channels } from '../../preload/contract';
import { handleMediaRequest } from '../media/range';
import { createServices, type Services } from '../services';
import { defaultDataDir } from '../util/paths';
import { chooseDisplay, CONTENT_SECURITY_POLICY, isAppUrl, isPermissionAllowed, MEDIA_BASE, MEDIA_SCHEME } from './policy';

const here = path.dirname(fileURLToPath(import.meta.url));
const kiosk = process.argv.includes('--kiosk') || process.env.CLASSBOARD_KIOSK === '1';
const startHidden = process.argv.includes('--hidden');
const wantedDisplay = process.env.CLASSBOARD_DISPLAY ? Number(process.env.CLASSBOARD_DISPLAY) : undefined;

// Must happen before 'ready': a standard, secure scheme that streams (Range for seeking).
protocol.registerSchemesAsPrivileged([
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);
// Before 'ready' too: on a Windows touch board a finger sweeping sideways across a lesson
// (pointing along the picture) was Chromium's history swipe and left the lesson.
app.commandLine.appendSwitch('overscroll-history-navigation', '0');

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let win: BrowserWindow | null = null;
  let services: Services | null = null;
  let blocker: number | null = null;
  /** Start at login, hidden: a board switched on for the night's sync should not show the UI over the desktop. */
  const applyLoginItem = (on: boolean) => {
    if (app.isPackaged) app.setLoginItemSettings({ openAtLogin: on, args: ['--hidden'] });
  };
  const appUrl = process.env.ELECTRON_RENDERER_URL ?? `file://${path.join(here, '../renderer/index.html')}`;

  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    }
  });

  app.on('web-contents-created', (_e, contents: WebContents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url, appUrl)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  app.whenReady().then(async () => {
    const resources = app.isPackaged ? process.resourcesPath : path.join(here, '../..');
    services = createServices({
      dataDir: process.env.CLASSBOARD_DATA ? path.resolve(process.env.CLASSBOARD_DATA) : defaultDataDir(),
      host: 'electron',
      mediaBase: MEDIA_BASE,
      assetsDir: path.join(resources, 'assets'),
      version: app.getVersion(),
      locale: app.getLocale().startsWith('zh') ? 'zh-CN' : 'en',
      log: (m) => console.log(m),
      warmAtStart: true,
      sync: {
        // The PC must not sleep while the night's files come in.
        onRunning: (running) => {
          if (running && blocker === null) blocker = powerSaveBlocker.start('prevent-app-suspension');
          else if (!running && blocker !== null) {
            powerSaveBlocker.stop(blocker);
            blocker = null;
          }
        },
        onSettings: (settings) => applyLoginItem(settings.startAtLogin),
      },
    });
    const s = services;
    applyLoginItem(s.sync.settings().startAtLogin);
    // The nightly schedule, with a catch-up run when the board starts inside the
    // window — a minute later, so a slow board PC shows the lesson list first.
    s.sync.start(60_000);

    session.defaultSession.setPermissionRequestHandler((wc, permission, callback) =>
      callback(isPermissionAllowed(permission, wc.getURL(), appUrl)),
    );
    session.defaultSession.setPermissionCheckHandler((wc, permission) => isPermissionAllowed(permission, wc?.getURL() ?? '', appUrl));
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    });

    // The same Request → Response handler as the hub's /media route; confined to the cache.
    protocol.handle(MEDIA_SCHEME, (request) =>
      handleMediaRequest({ method: request.method, url: request.url, headers: request.headers }, s.media),
    );

    for (const channel of channels) {
      ipcMain.handle(channel, (event, req: unknown) => {
        // Only our own page may call the API.
        if (!event.senderFrame || !isAppUrl(event.senderFrame.url, appUrl)) {
          return { ok: false, error: { code: 'unauthorized', message: 'caller is not the Classboard window' } };
        }
        return s.router.call(channel, req);
      });
    }
    s.events.subscribe((name, payload) => {
      if (win && !win.isDestroyed()) win.webContents.send('cb:event', name, payload);
    });

    const display = chooseDisplay(screen.getAllDisplays(), screen.getPrimaryDisplay(), wantedDisplay);
    win = new BrowserWindow({
      ...display.bounds,
      fullscreen: true,
      kiosk,
      backgroundColor: '#10261d',
      autoHideMenuBar: true,
      show: false,
      webPreferences: {
        preload: path.join(here, '../preload/index.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        spellcheck: false,
      },
    });
    // Started at login for the night's sync: no window until someone opens Classboard.
    win.once('ready-to-show', () => !startHidden && win?.show());
    await win.loadURL(appUrl);
    // First run: the embedded demo library, imported off the main thread (worker).
    s.ensureDemoLibrary().catch((err) => console.error('demo library import failed:', err));
  }).catch((err: unknown) => {
    // A library that cannot open (e.g. from a newer version) must say so, not hang.
    console.error('Classboard could not start:', err);
    dialog.showErrorBox('Classboard 无法启动 / could not start', err instanceof Error ? err.message : String(err));
    app.exit(1);
  });

  app.on('window-all-closed', () => {
    services?.close();
    app.quit();
  });
}
