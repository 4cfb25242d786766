/** A file of an export: its path inside the export folder and its contents. */
export interface ExportedFile {
  path: string;
  data: Uint8Array | string;
}
