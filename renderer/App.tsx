import { lazy, Suspense, useEffect, useState } from 'react';
import { PageError } from './components/PageError';
import { useTranslation } from 'react-i18next';
import { api, call } from './api/client';
import { back } from './back';
import { BarButton, BottomBar } from './components/BottomBar';
import { setLanguage } from './i18n';
import { isFormField } from './keys';
import { LibraryHome } from './library/LibraryHome';
import { go, leaveTo, useRoute } from './route';
import { BoardView } from './teaching/board/BoardView';
import { InkProvider } from './teaching/ink/context';
import { InkToolbar } from './teaching/ink/InkToolbar';
import { LessonView } from './teaching/LessonView';
import { PlanEditor } from './teaching/plans/PlanEditor';
import { PresentView } from './teaching/plans/PresentView';
import { ToolsMenu } from './teaching/tools/ToolsMenu';

const SIDE_KEY = 'classboard.toolbarSide';
// The admin's page: not on the path to a lesson's first frame.
const SyncPage = lazy(() => import('./sync/SyncPage').then((m) => ({ default: m.SyncPage })));
const TimetablePage = lazy(() => import('./library/TimetablePage').then((m) => ({ default: m.TimetablePage })));

export function App() {
  return (
    <InkProvider>
      <Board />
    </InkProvider>
  );
}

function Board() {
  const { t, i18n } = useTranslation();
  const route = useRoute();
  const [side, setSide] = useState<'left' | 'right'>(() => (localStorage.getItem(SIDE_KEY) === 'left' ? 'left' : 'right'));
  const [recovered, setRecovered] = useState<string | null>(null);
  const [blank, setBlank] = useState(false);

  useEffect(() => {
    void call(api()['app:info']({})).then((info) => setRecovered(info.libraryRecoveredFrom), () => {});
  }, []);

  // Presenter keys: B blanks the screen, F5 presents (full screen; a lesson plan
  // starts at its first item), Esc leaves a presentation or steps back.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // Typing in a form field: its keys are its own, and Esc only leaves the field
      // (stepping back would throw away a half-filled form).
      if (isFormField(e.target)) {
        if (e.key === 'Escape') e.target.blur();
        return;
      }
      if (e.key === 'b' || e.key === 'B') setBlank((b) => !b);
      else if (e.key === 'F5') {
        e.preventDefault();
        void document.documentElement.requestFullscreen?.().catch(() => {});
        if (route.name === 'plan' && route.id !== null) go({ name: 'present', id: route.id, index: 0 });
      } else if (e.key === 'Escape') {
        if (blank) setBlank(false);
        // As 返回: a classroom tool (or the picker) open closes, the last opened first;
        // else a presentation is left for its plan, a page for the one behind it.
        else back();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [blank, route]);

  const flip = () => {
    const next = side === 'left' ? 'right' : 'left';
    localStorage.setItem(SIDE_KEY, next);
    setSide(next);
  };

  return (
    <div className="app">
      {recovered && (
        <div role="alert" className="banner">
          {t('library.recovered', { file: recovered })}
          <button type="button" className="banner__close" aria-label="✕" onClick={() => setRecovered(null)}>
            ✕
          </button>
        </div>
      )}
      <div className="app__content">
        <PageError at={window.location.hash}>
        {route.name === 'resource' ? (
          <LessonView id={route.id} type={route.type} />
        ) : route.name === 'board' ? (
          <BoardView />
        ) : route.name === 'plan' ? (
          <PlanEditor key={route.id ?? 'new'} id={route.id} />
        ) : route.name === 'sync' ? (
          <Suspense fallback={null}>
            <SyncPage node={route.node} />
          </Suspense>
        ) : route.name === 'timetable' ? (
          <Suspense fallback={null}>
            <TimetablePage />
          </Suspense>
        ) : route.name === 'present' ? (
          <PresentView id={route.id} index={route.index} />
        ) : (
          <LibraryHome node={route.node} />
        )}
        </PageError>
      </div>
      <BottomBar side={side}>
        <BarButton icon="⌂" label={t('nav.home')} onClick={() => leaveTo({ name: 'home', node: null })} />
        <BarButton icon="←" label={t('nav.back')} onClick={back} />
        {route.name === 'home' && <BarButton icon="▦" label={t('nav.board')} onClick={() => go({ name: 'board' })} />}
        {route.name === 'home' && <BarButton icon="⇣" label={t('nav.sync')} onClick={() => go({ name: 'sync', node: null })} />}
        {(route.name === 'resource' || route.name === 'board' || route.name === 'present') && <InkToolbar />}
        <span className="bottom-bar__spacer" />
        <ToolsMenu onBlank={() => setBlank(true)} />
        <BarButton icon="⇄" label={t('nav.flip')} onClick={flip} />
        {route.name === 'home' && (
          <BarButton icon="文" label={t('nav.language')} onClick={() => setLanguage(i18n.language === 'en' ? 'zh-CN' : 'en')} />
        )}
      </BottomBar>
      {blank && <div className="blank-screen" role="presentation" onClick={() => setBlank(false)} />}
    </div>
  );
}
