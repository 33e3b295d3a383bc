// Whether another connection committed to the library since a cache last looked:
// a CLI command on a running hub's data folder, or one of this process's worker
// threads. SQLite's PRAGMA data_version moves on any other connection's commit
// and never on this connection's own, so a cache its owner already clears on
// its own writes checks this (one pragma read, about 4 µs) where it serves.
import type { Db } from './db';

/** A check that answers true once per change made elsewhere since the previous check. */
export function otherCommits(db: Db): () => boolean {
  const version = db.prepare('PRAGMA data_version').pluck();
  let seen = version.get();
  return () => {
    const now = version.get();
    if (now === seen) return false;
    seen = now;
    return true;
  };
}
