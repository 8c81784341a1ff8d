import { createZip } from "./zip.ts";

export type DownloadableFile = { path: string; content: string };

export function downloadFile(file: DownloadableFile): void {
  const name = file.path.split("/").pop() || "file.txt";
  saveBlob(new Blob([file.content], { type: "text/plain;charset=utf-8" }), name);
}

/** All files in one .zip, keeping their folders. */
export function downloadAll(files: DownloadableFile[], archiveName = "kiln-files.zip"): void {
  saveBlob(createZip(files), archiveName);
}

function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  // The download has started by the next task; the URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
