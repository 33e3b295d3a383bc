// The lesson video: a real <video> with big controls on the bottom strip — play,
// a wide scrubber a finger can hit, speed and full screen.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useInk } from './ink/context';
import { InkToolbar } from './ink/InkToolbar';
import { leave, leftAt } from './videoPositions';

const SPEEDS = [1, 1.25, 1.5, 0.75];

function clock(s: number): string {
  if (!Number.isFinite(s)) return '0:00';
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}

/**
 * `onMoment` reports the paused second (ink on a video belongs to a moment) or
 * null while playing; `overlay` sits over the picture (the ink layer). `resumeId`
 * (the resource's id) keeps the position across switches for the session: the
 * video comes back paused there, whether it was playing or not, so nothing
 * sounds out before the teacher is ready and her ink for that moment shows.
 */
export function VideoPlayer(props: {
  src: string;
  poster?: string;
  title: string;
  resumeId?: string;
  onMoment?: (second: number | null) => void;
  overlay?: ReactNode;
}) {
  const { src, poster, title, resumeId, onMoment, overlay } = props;
  const { t } = useTranslation();
  const { settings } = useInk();
  const video = useRef<HTMLVideoElement>(null);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(0);
  const [speed, setSpeed] = useState(1);
  const [loaded, setLoaded] = useState(false);
  const player = useRef<HTMLDivElement>(null);
  const [full, setFull] = useState(false);

  // Seeking needs the metadata; until then (and if the element goes first) the remembered second stands.
  const resumed = useRef(false);
  const resume = () => {
    const v = video.current;
    if (!v || resumed.current || v.readyState < HTMLMediaElement.HAVE_METADATA) return;
    resumed.current = true;
    const at = resumeId === undefined ? undefined : leftAt(resumeId);
    if (at !== undefined && at < v.duration) v.currentTime = at;
  };
  useEffect(() => {
    const v = video.current;
    resume(); // metadata may be in before this effect runs
    return () => {
      if (v && resumeId !== undefined && resumed.current) leave(resumeId, v);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [resumeId]);

  const toggle = () => {
    const v = video.current;
    if (!v) return;
    if (v.paused) void v.play().catch(() => {});
    else v.pause();
  };

  // Picking up a pen stops the picture, as a teacher expects from board software.
  useEffect(() => {
    if (settings.mode !== 'off') video.current?.pause();
  }, [settings.mode]);

  // The ink for a moment appears once the first frame is up: mounting it (two
  // canvases and a request) earlier would slow the video's own start.
  useEffect(() => {
    const v = video.current;
    onMoment?.(!v || !loaded || !v.paused ? null : Math.floor(v.currentTime));
  }, [playing, loaded, onMoment]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const v = video.current;
      if (!v || (e.target as HTMLElement).tagName === 'INPUT') return;
      if (e.key === ' ') {
        e.preventDefault();
        toggle();
      } else if (e.key === 'ArrowRight') v.currentTime = Math.min(v.duration || 0, v.currentTime + 5);
      else if (e.key === 'ArrowLeft') v.currentTime = Math.max(0, v.currentTime - 5);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // 全屏: the player (picture, its bar and the ink over it) fills the window by CSS.
  // The board's window is already full screen (kiosk), where the Fullscreen API has
  // nothing to add; in a smaller browser window it is asked for too.
  const enterFull = () => {
    setFull(true);
    const el = player.current;
    const screenSized = window.innerWidth >= screen.width && window.innerHeight >= screen.height;
    if (el && !document.fullscreenElement && !screenSized) void el.requestFullscreen?.().catch(() => {});
  };
  const leaveFull = () => {
    setFull(false);
    if (document.fullscreenElement && document.fullscreenElement === player.current) void document.exitFullscreen().catch(() => {});
  };
  useEffect(() => {
    if (!full) return;
    // Esc leaves the video's full screen, not the lesson: caught before the app's own Esc (a capture listener on window runs first).
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopImmediatePropagation();
      leaveFull();
    };
    // The browser's own Esc (or its UI) ending the Fullscreen API's full screen ends ours too.
    let wasApiFull = false;
    const onChange = () => {
      if (document.fullscreenElement === player.current) wasApiFull = true;
      else if (wasApiFull) setFull(false);
    };
    window.addEventListener('keydown', onKey, true);
    document.addEventListener('fullscreenchange', onChange);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      document.removeEventListener('fullscreenchange', onChange);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [full]);

  return (
    <div className={`player${full ? ' player--full' : ''}`} ref={player}>
      <div className="stage">
        <video
          ref={video}
          className="stage__video"
          src={src}
          poster={poster}
          aria-label={title}
          playsInline
          preload="auto"
          onClick={toggle}
          onPlay={() => setPlaying(true)}
          onPause={() => setPlaying(false)}
          onTimeUpdate={(e) => setTime(e.currentTarget.currentTime)}
          onLoadedMetadata={(e) => {
            setDuration(e.currentTarget.duration);
            resume();
          }}
          onLoadedData={() => setLoaded(true)}
          onRateChange={(e) => setSpeed(e.currentTarget.playbackRate)}
          onSeeked={(e) => e.currentTarget.paused && onMoment?.(Math.floor(e.currentTarget.currentTime))}
        />
        {overlay}
      </div>
      <div className="player-bar">
        {/* Full screen covers the bottom bar: its pens come along, to write on the paused moment. */}
        {full && <InkToolbar />}
        <button type="button" className="bar-button bar-button--primary" aria-label={playing ? t('lesson.pause') : t('lesson.play')} onClick={toggle}>
          <span aria-hidden="true">{playing ? '❚❚' : '▶'}</span>
        </button>
        <span className="player-bar__time">{clock(time)}</span>
        <input
          type="range"
          className="scrubber"
          aria-label={t('lesson.seek')}
          min={0}
          max={duration || 0}
          step={0.1}
          value={time}
          onChange={(e) => {
            const v = video.current;
            if (v) v.currentTime = Number(e.target.value);
          }}
        />
        <span className="player-bar__time">{clock(duration)}</span>
        <button
          type="button"
          className="bar-button"
          aria-label={`${t('lesson.speed')} ${speed}×`}
          onClick={() => {
            const v = video.current;
            if (v) v.playbackRate = SPEEDS[(SPEEDS.indexOf(v.playbackRate) + 1) % SPEEDS.length]!;
          }}
        >
          {speed}×
        </button>
        <button type="button" className="bar-button" onClick={full ? leaveFull : enterFull}>
          {full ? t('lesson.exitFullscreen') : t('lesson.fullscreen')}
        </button>
      </div>
    </div>
  );
}
