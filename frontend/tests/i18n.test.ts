import { describe, expect, it } from 'vitest';
import en from '../src/locales/en';
import { LOCALES, loadDict, pickLocale, setLocale, t, tn, translate, translatePlural } from '../src/lib/i18n';

describe('i18n', () => {
  it('every language has exactly the English keys, none empty, same placeholders', async () => {
    for (const l of LOCALES) {
      const d = await loadDict(l);
      expect(Object.keys(d).sort(), l).toEqual(Object.keys(en).sort());
      for (const [k, v] of Object.entries(d)) {
        expect(v.trim(), `${l} ${k}`).not.toBe('');
        const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
        expect(ph(v), `${l} ${k}`).toEqual(ph((en as any)[k]));
      }
    }
  });

  it('picks the phone\'s language, falling back to English', () => {
    expect(pickLocale(['pl-PL', 'en'])).toBe('pl');
    expect(pickLocale(['de-DE', 'ro-RO'])).toBe('ro');
    expect(pickLocale(['el'])).toBe('el');
    expect(pickLocale(['fr'])).toBe('en');
    expect(pickLocale(undefined)).toBe('en');
  });

  it('interpolates and falls back to English, then the key', () => {
    expect(translate({}, 'walk.step', { n: 2, total: 5 })).toBe('Step 2 of 5');
    expect(translate({}, 'no.such.key')).toBe('no.such.key');
  });

  it('uses each language\'s plural rules', async () => {
    const pl = await loadDict('pl');
    expect(translatePlural(pl, 'pl', 'photo.count', 1)).toBe('1 zdjęcie');
    expect(translatePlural(pl, 'pl', 'photo.count', 3)).toBe('3 zdjęcia');
    expect(translatePlural(pl, 'pl', 'photo.count', 5)).toBe('5 zdjęć');
    const ro = await loadDict('ro');
    expect(translatePlural(ro, 'ro', 'photo.count', 25)).toBe('25 de fotografii');
    expect(translatePlural(en, 'en', 'photo.count', 1)).toBe('1 photo');
  });

  it('switches language at run time', async () => {
    await setLocale('el');
    expect(t('outbox.syncNow')).toBe('Συγχρονισμός τώρα');
    expect(tn('home.outbox', 2)).toBe('2 στοιχεία περιμένουν αποστολή');
    await setLocale('en');
    expect(t('outbox.syncNow')).toBe('Sync now');
  });
});
