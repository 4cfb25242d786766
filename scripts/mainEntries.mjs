// The Node-side bundles the app runs (dist/main/<name>.cjs): shared by the build and by the test that
// keeps package.json's production dependencies to exactly what these bundles load at run time.
export const mainEntries = {
  electron: 'main/electron/main.ts',
  serve: 'main/server/serve.ts',
  cli: 'main/cli.ts',
  trainWorker: 'main/backend/trainWorker.ts',
  modelWorker: 'main/backend/modelWorker.ts',
  projectionWorker: 'main/backend/projectionWorker.ts',
};
