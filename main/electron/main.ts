/** The desktop shell: one window over the same backend the browser mode uses. Kept thin on purpose. */
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BottleneckBackend } from '../backend/service';
import { appRoot } from '../backend/paths';
import { EVENT_CHANNEL } from '../../core/apiChannels';
import { bindIpc } from './ipcAdapter';
import { menuTemplate } from './menu';
import { allowPermission, APP_ORIGIN, APP_SCHEME, CONTENT_SECURITY_POLICY, isAllowedExternal, isAppUrl, rendererFile } from './security';

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

function serveRenderer(root: string) {
  protocol.handle(APP_SCHEME, async (request) => {
    const target = rendererFile(root, request.url);
    if ('status' in target) return new Response(target.status === 400 ? 'malformed address' : 'forbidden', { status: target.status });
    const response = await net.fetch(pathToFileURL(target.file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    return new Response(response.body, { status: response.status, headers });
  });
}

/** Every web contents stays on the app's pages: no navigation, redirect or frame navigation elsewhere, no new windows. */
function confine(contents: WebContents) {
  const stay = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', (event) => stay(event, event.url));
  contents.on('will-redirect', (event) => stay(event, event.url));
  contents.on('will-frame-navigate', (event) => stay(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // Links to the documentation sites open in the system browser; nothing else opens at all.
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void shell.openExternal(url);
    return { action: 'deny' };
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
      // A middle click would open a new window; the app has none to open.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

app.whenReady().then(() => {
  // The app asks for no permission (camera, notifications, clipboard, …): refuse every request and check.
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) => callback(allowPermission(permission, details.requestingUrl)));
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) => allowPermission(permission, requestingOrigin));
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
    // shell.openPath answers with an error message, or '' once the system has opened it.
    openWithSystem: async (path) => {
      const failed = await shell.openPath(path);
      if (failed) throw new Error(`cannot open ${path}: ${failed}`);
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
    isAppUrl,
  );
  backend.warmUp();
  // A sweep cut off by a crash carries on with its remaining runs.
  void backend.resumeExperiments().catch((err: Error) => console.error(`bottleneck: cannot resume the experiments: ${err.message}`));
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) win = createWindow();
  });
  app.on('window-all-closed', () => {
    void backend.dispose().then(() => app.quit());
  });
});

app.on('web-contents-created', (_event, contents) => confine(contents));
