import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The per-user data folder; the same place Electron's userData points to for "Classboard". */
export function defaultDataDir(): string {
  if (process.env.CLASSBOARD_DATA) return path.resolve(process.env.CLASSBOARD_DATA);
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Classboard');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Classboard');
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Classboard');
}

/** The package root (the folder with package.json), from source or from out/main/. */
export function appRoot(fromUrl: string = import.meta.url): string {
  let dir = path.dirname(fileURLToPath(fromUrl));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the Classboard package root');
}
