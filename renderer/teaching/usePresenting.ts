// While a lesson is on screen, a running sync slows to a trickle. The hub counts
// each page load as one screen and holds its "presenting" only as long as the
// page keeps renewing it, so a tab closed mid-lesson (or a board switched off)
// stops slowing the school's sync within PRESENTING_LEASE_MS.
import { useEffect } from 'react';
import { PRESENTING_RENEW_MS } from '../../preload/contract';
import { api } from '../api/client';

// Not crypto.randomUUID: a hub reached over plain http on the LAN is not a secure context.
const screen = `s${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

export function usePresenting(): void {
  useEffect(() => {
    const say = (presenting: boolean) => void api()['sync:presenting']({ screen, presenting });
    say(true);
    const renew = setInterval(() => say(true), PRESENTING_RENEW_MS);
    const leave = () => say(false);
    // A page that unloads says so if it can; the lease covers one that cannot.
    window.addEventListener('pagehide', leave);
    return () => {
      clearInterval(renew);
      window.removeEventListener('pagehide', leave);
      say(false);
    };
  }, []);
}
