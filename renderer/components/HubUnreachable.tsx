import { useTranslation } from 'react-i18next';

/** In place of what could not load because the hub did not answer: what happened, and that it is retrying by itself. */
export function HubUnreachable() {
  const { t } = useTranslation();
  return (
    <p className="notice notice--hub" role="status">
      {t('app.hubUnreachable')}
    </p>
  );
}
