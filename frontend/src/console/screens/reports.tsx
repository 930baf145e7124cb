import { t } from '../i18n';
import { Page } from '../ui';

/** The delivery issue fills this screen (reports, the client portal); for now it says so. */
export function Reports() {
  return (
    <Page title={t('reports.title')}>
      <p>{t('reports.soon')}</p>
    </Page>
  );
}
