import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { zhCN } from './zh-CN';

const LANG_KEY = 'classboard.lang';

export function initI18n(): typeof i18next {
  const saved = localStorage.getItem(LANG_KEY);
  void i18next.use(initReactI18next).init({
    resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
    lng: saved === 'en' ? 'en' : 'zh-CN',
    fallbackLng: 'zh-CN',
    interpolation: { escapeValue: false },
    initAsync: false,
  });
  document.documentElement.lang = i18next.language;
  return i18next;
}

export function setLanguage(lang: 'zh-CN' | 'en'): void {
  localStorage.setItem(LANG_KEY, lang);
  void i18next.changeLanguage(lang);
  document.documentElement.lang = lang;
}
