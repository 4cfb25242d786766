/** The desktop shell: one window over the same backend the browser mode uses. Kept thin on purpose. */
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, shell } from 'electron';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BottleneckBackend } from '../backend/service';
import { appRoot } from '../backend/paths';
import { EVENT_CHANNEL } from '../../core/apiChannels';
import { bindIpc } from './ipcAdapter';
import { menuTemplate } from './menu';

const SCHEME = 'app';
const ORIGIN = `${SCHEME}://bottleneck`;
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

function serveRenderer(root: string) {
  protocol.handle(SCHEME, async (request) => {
    const { pathname } = new URL(request.url);
    const file = normalize(join(root, decodeURIComponent(pathname === '/' ? '/index.html' : pathname)));
    if (!file.startsWith(root + sep)) return new Response('forbidden', { status: 403 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CSP);
    return new Response(response.body, { status: response.status, headers });
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 680,
    title: 'Bottleneck',
    backgroundColor: '#0f1216',
    show: false,
    webPreferences: {
      preload: join(__dirname, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  win.once('ready-to-show', () => win.show());
  // No navigation away from the app and no new windows; external links open in the system browser.
  win.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(ORIGIN)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void win.loadURL(`${ORIGIN}/index.html`);
  return win;
}

app.whenReady().then(() => {
  let win: BrowserWindow;
  const filters = [{ name: 'Bottleneck graph', extensions: ['bottleneck.json', 'json'] }];
  // The menu bar is built from the app's command list; a click asks the window to run the command.
  const menu = Menu.buildFromTemplate(
    menuTemplate(process.platform, (id) => {
      if (win && !win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, { type: 'menu-command', id });
    }),
  );
  Menu.setApplicationMenu(menu);
  const backend = new BottleneckBackend({
    shell: 'electron',
    menu: {
      setEnabled: (enabled) => {
        for (const [id, on] of Object.entries(enabled)) {
          const item = menu.getMenuItemById(id);
          if (item) item.enabled = on;
        }
      },
    },
    dialogs: {
      openGraph: async () => (await dialog.showOpenDialog(win, { properties: ['openFile'], filters })).filePaths[0] ?? null,
      saveGraph: async (suggestedName) => (await dialog.showSaveDialog(win, { defaultPath: `${suggestedName}.bottleneck.json`, filters })).filePath ?? null,
      openFolder: async () => (await dialog.showOpenDialog(win, { title: 'Choose an image folder', properties: ['openDirectory'] })).filePaths[0] ?? null,
    },
  });
  serveRenderer(join(appRoot(), 'dist', 'renderer'));
  win = createWindow();
  bindIpc(
    ipcMain,
    backend,
    (channel, event) => {
      if (!win.isDestroyed()) win.webContents.send(channel, event);
    },
    (url) => url.startsWith(ORIGIN),
  );
  backend.warmUp();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) win = createWindow();
  });
  app.on('window-all-closed', () => {
    void backend.dispose().then(() => app.quit());
  });
});

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});
