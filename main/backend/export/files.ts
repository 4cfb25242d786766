/** A file of an export: its path inside the export folder and its contents. */
export interface ExportedFile {
  /** Relative to the export folder, with forward slashes. */
  path: string;
  data: Uint8Array | string;
}
