import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's chromium package (installed by `npm run bootstrap`), or CHROMIUM_PATH. */
export function chromiumPath(): string {
  const candidate = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(candidate)) throw new Error(`no Chromium at ${candidate}: npm run bootstrap installs Debian's chromium package, or set CHROMIUM_PATH`);
  return candidate;
}

/**
 * Opens `document` (an SVG's text) as a file in headless Chromium and returns the screenshot of a
 * `width` × `height` window as PNG bytes: what a browser shows of it.
 */
export async function screenshot(document: string, fileName: string, width: number, height: number): Promise<Buffer> {
  const directory = mkdtempSync(path.join(tmpdir(), 'chromium-render-'));
  try {
    const page = path.join(directory, fileName);
    const picture = path.join(directory, 'screenshot.png');
    writeFileSync(page, document);
    await run(
      chromiumPath(),
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--hide-scrollbars',
        '--no-first-run',
        `--user-data-dir=${path.join(directory, 'profile')}`,
        `--window-size=${width},${height}`,
        `--screenshot=${picture}`,
        `file://${page}`,
      ],
      { timeout: 60_000 },
    );
    return readFileSync(picture);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
