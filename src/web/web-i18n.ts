import { isLang, label, LabelDomain, Lang, message } from '../i18n/labels';

/**
 * A `ui.*` message in the page's language, with `{name}` placeholders filled in. Missing keys
 * fall back to English, then to the key (the locale test keeps every language complete).
 */
export function translate(lang: Lang, key: string, params: Record<string, string> = {}): string {
  const text = message(lang, key) ?? message('en', key) ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}

/** What every template gets to speak the page's language (`it.t`, `it.label`, `it.date`...). */
export interface WebI18n {
  lang: Lang;
  t: (key: string, params?: Record<string, string>) => string;
  label: (domain: LabelDomain, code: string) => string;
  /** An ISO timestamp as a date and time in the reader's timezone ('' for none). */
  date: (iso: string | null | undefined) => string;
  /** A number of seconds as days, hours and minutes ('' for none). */
  duration: (seconds: number | null | undefined) => string;
}

export function webI18n(lang: Lang, timeZone = 'UTC'): WebI18n {
  const chosen: Lang = isLang(lang) ? lang : 'en';
  let dates: Intl.DateTimeFormat;
  try {
    dates = new Intl.DateTimeFormat(chosen, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  } catch {
    // An unknown zone in a user's settings must not break the page: UTC, named.
    dates = new Intl.DateTimeFormat(chosen, {
      dateStyle: 'medium',
      timeStyle: 'long',
      timeZone: 'UTC',
    });
  }
  const unit = (name: 'day' | 'hour' | 'minute', n: number) =>
    new Intl.NumberFormat(chosen, { style: 'unit', unit: name, unitDisplay: 'long' }).format(n);
  return {
    lang: chosen,
    t: (key, params) => translate(chosen, key, params),
    label: (domain, code) => label(chosen, domain, code),
    date: (iso) => (iso ? dates.format(new Date(iso)) : ''),
    duration: (seconds) => {
      if (seconds === null || seconds === undefined) return '';
      const minutes = Math.max(0, Math.round(seconds / 60));
      const [d, h, m] = [
        Math.floor(minutes / 1440),
        Math.floor((minutes % 1440) / 60),
        minutes % 60,
      ];
      const parts = [
        ...(d ? [unit('day', d)] : []),
        ...(h ? [unit('hour', h)] : []),
        ...(m || (!d && !h) ? [unit('minute', m)] : []),
      ];
      return parts.join(' ');
    },
  };
}
