// Where a resource sits, for a search result: the same title (学习任务单) is in many
// lessons, and what tells them apart is the end of the path, not its start.
/** The lesson and its unit, deepest first ("分数的初步认识 · 第八单元"), and the rest of the path. */
export function splitPath(path: string[]): { lead: string; rest: string } {
  return { lead: path.slice(-2).reverse().join(' · '), rest: path.slice(0, -2).join(' › ') };
}

/**
 * Two lines under a result's title: the lesson and unit in the text colour, then
 * the rest of the path muted and cut at its start ("…人教版 › 三年级上册"), so
 * the part nearest the lesson stays in view at any width (a board has no hover).
 */
export function WherePath({ path, hidden }: { path: string[]; hidden?: boolean }) {
  const { lead, rest } = splitPath(path);
  return (
    <>
      {lead && (
        <span className="row__where" aria-hidden={hidden || undefined}>
          {lead}
        </span>
      )}
      {rest && (
        <span className="row__sub row__sub--tail" aria-hidden={hidden || undefined}>
          <bdi>{rest}</bdi>
        </span>
      )}
    </>
  );
}
