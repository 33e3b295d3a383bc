// Where each video was left, by resource id, for this session (memory only): a
// teacher switching between a lesson's video and its courseware, or leaving the
// lesson and coming back, finds the video where she left it, not at 0:00.
const positions = new Map<string, number>();

/** The second to resume `id` at, if it was left part-way. */
export function leftAt(id: string): number | undefined {
  return positions.get(id);
}

/** Remembers where `v` stands; a video watched to its end (or never started) starts over. */
export function leave(id: string, v: HTMLVideoElement): void {
  if (v.ended || v.currentTime <= 0) positions.delete(id);
  else positions.set(id, v.currentTime);
}
