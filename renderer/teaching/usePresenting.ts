// While a lesson is on screen, a running sync slows to a trickle. The hub counts
// each page load as one screen and holds its "presenting" only as long as the
// page keeps renewing it, so a tab closed mid-lesson (or a board switched off)
// stops slowing the school's sync within PRESENTING_LEASE_MS.
import { useEffect } from 'react';
import { PRESENTING_RENEW_MS } from '../../preload/contract';
import { api } from '../api/client';

// Not crypto.randomUUID: a hub reached over plain http on the LAN is not a secure context.
const screen = `s${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
/** A plan steps from lesson to lesson by remounting: "off" waits this long for the next one, so no false/true pair can cross on the way. */
const LEAVE_AFTER_MS = 1500;

let users = 0;
let renew: ReturnType<typeof setInterval> | null = null;
let leaving: ReturnType<typeof setTimeout> | null = null;
const say = (presenting: boolean) => void api()['sync:presenting']({ screen, presenting });

/** A page that unloads says so if it can, also while its "off" is still pending (the timer dies with the page); the lease covers one that cannot. */
let unloadHooked = false;
const unload = () => {
  if (users === 0 && !leaving) return;
  if (leaving) clearTimeout(leaving);
  leaving = null;
  // Restored from the back/forward cache without a lesson, it must not go on renewing.
  if (users === 0 && renew) clearInterval(renew);
  if (users === 0) renew = null;
  say(false);
};

function enter() {
  if (!unloadHooked) window.addEventListener('pagehide', unload);
  unloadHooked = true;
  if (leaving) clearTimeout(leaving);
  leaving = null;
  if (users++ > 0 || renew) return;
  say(true);
  renew = setInterval(() => say(true), PRESENTING_RENEW_MS);
}

function leave() {
  if (--users > 0) return;
  leaving = setTimeout(() => {
    leaving = null;
    if (users > 0) return;
    if (renew) clearInterval(renew);
    renew = null;
    say(false);
  }, LEAVE_AFTER_MS);
}

/** `on`: something is shown (a video, a page, a board); a "not downloaded" notice is not class time. */
export function usePresenting(on = true): void {
  useEffect(() => {
    if (!on) return;
    enter();
    return leave;
  }, [on]);
}
