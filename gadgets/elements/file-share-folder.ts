/**
 * Folders for `<rtc-file-share>`: a dropped folder (with its subfolders) or a folder picked with
 * `webkitdirectory` becomes files whose attachment names keep their path inside it
 * (`css/site.css`), which is what `<rtc-site>` serves (docs/site.md "Authoring").
 */
import { contentTypeFor } from '../content-types.js';

/** A file and the attachment name it is stored under. */
export interface NamedFile {
  name: string;
  file: File;
}

/**
 * The entries of a drop, taken synchronously (the browser empties `items` once the drop event
 * returns). Empty when the browser gives no entries (then use `dataTransfer.files`).
 */
export function dropEntries(data: DataTransfer | null): FileSystemEntry[] {
  const items = [...(data?.items ?? [])].filter((i) => i.kind === 'file');
  return items.map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
}

/**
 * The files under dropped entries, depth first. One folder dropped alone is the site's root (its
 * own name is left out: `site/css/a.css` → `css/a.css`); otherwise names start at what was dropped.
 */
export async function entriesToFiles(entries: FileSystemEntry[]): Promise<NamedFile[]> {
  const out: NamedFile[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ name: prefix + entry.name, file });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries gives the folder in batches (100 in Chromium) until an empty one.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  const root = entries.length === 1 && entries[0].isDirectory ? entries[0] : null;
  for (const entry of entries) await walk(entry, '');
  return root ? out.map((f) => ({ ...f, name: f.name.slice(root.name.length + 1) })) : out;
}

/** Files picked with `webkitdirectory`: named by their path under the picked folder. */
export function pickedFolder(files: File[]): NamedFile[] {
  return files.map((file) => ({ name: file.webkitRelativePath.split('/').slice(1).join('/') || file.name, file }));
}

/** Largest text file edited in place (bytes). */
export const EDIT_MAX = 2 * 1024 * 1024;

/** Whether a file can be edited as text: a text type (its `content_type`, else by its name) and at most {@link EDIT_MAX}. */
export function isEditable(name: string, contentType: string, length: number): boolean {
  const type = (!contentType || contentType.startsWith('application/octet-stream') ? contentTypeFor(name) : contentType).split(';')[0];
  return length <= EDIT_MAX
    && (type.startsWith('text/') || ['application/json', 'application/javascript', 'application/xml', 'image/svg+xml'].includes(type));
}
