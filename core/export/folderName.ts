/** The folder an export goes into when the user names none: "<run name>-<format>", made safe as a folder name. */
export function exportFolderName(runName: string, format: string): string {
  return `${runName.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'model'}-${format}`;
}

/** `name` inside `folder`, joined with the separator the folder's path already uses (a server on Windows uses "\"). */
export function childPath(folder: string, name: string): string {
  const separator = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  return `${folder.replace(/[\\/]+$/, '')}${separator}${name}`;
}
