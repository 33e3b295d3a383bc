// A page that throws while rendering (a lazily loaded part that failed to come
// over a flaky LAN from the hub, or a bug) shows what happened and a way on, and
// the bottom bar stays: without this React unmounts the whole app into an empty
// screen with no bar, and Esc does nothing.
import { Component, useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { checkHub } from '../api/client';
import { useHubLink } from '../library/useApi';

/** A part of the page that did not arrive (Chromium's and Firefox's, Safari's words). */
const NOT_LOADED = /dynamically imported module|module script failed/i;

function Fallback({ message }: { message: string }) {
  const { t } = useTranslation();
  const notLoaded = NOT_LOADED.test(message);
  const { up } = useHubLink();
  const wasDown = useRef(false);
  useEffect(() => {
    if (notLoaded) checkHub();
  }, [notLoaded]);
  // Only a reload fetches a part that failed once (the import is remembered as failed): when the hub is back.
  useEffect(() => {
    if (!up) wasDown.current = true;
    else if (wasDown.current && notLoaded) window.location.reload();
  }, [up, notLoaded]);
  if (notLoaded && !up) {
    return (
      <p className="notice" role="status">
        {t('app.hubUnreachable')}
      </p>
    );
  }
  return (
    <div className="notice notice--error" role="alert">
      <p>{t('app.pageFailed', { message })}</p>
      <button type="button" className="bar-button bar-button--primary" onClick={() => window.location.reload()}>
        {t('app.reload')}
      </button>
    </div>
  );
}

/** `at`: where the page is (the location's hash); going elsewhere (home, back, another lesson) tries afresh. */
export class PageError extends Component<{ at: string; children: ReactNode }, { message: string | null }> {
  override state = { message: null as string | null };

  static getDerivedStateFromError(err: unknown) {
    return { message: err instanceof Error ? err.message : String(err) };
  }

  override componentDidUpdate(prev: { at: string }) {
    if (prev.at !== this.props.at && this.state.message !== null) this.setState({ message: null });
  }

  override render() {
    return this.state.message === null ? this.props.children : <Fallback message={this.state.message} />;
  }
}
